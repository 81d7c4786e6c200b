// The captions that stand for "a query unrelated to this index": everyday
// scenes of the kind photo collections hold, none about the demo's shapes.
// For the demo model every content word here is unknown (it never saw them),
// which is what a query unrelated to its index is; for a real CLIP on a photo
// collection a few may match, which the percentile judgement tolerates (a
// query must beat most of them, not all). Fixed: changing the list changes
// every calibration. The queries of models/query_quality.py are
// disjoint from these.
#include "core/query/match_calibration.h"

namespace clip {

const std::vector<std::string>& calibration_captions() {
  static const std::vector<std::string> kCaptions = {
      "a photo of a dog",
      "a photo of a cat",
      "a person walking in the street",
      "a city skyline at night",
      "a plate of food on a table",
      "a car parked on the road",
      "a group of people at a party",
      "a bird sitting on a branch",
      "a mountain landscape with snow",
      "a close-up of a flower",
      "a bowl of fruit",
      "a man playing guitar",
      "a woman reading a book",
      "a child playing with a ball",
      "a boat on the water",
      "a building with many windows",
      "a cup of coffee",
      "a laptop on a desk",
      "a train at the station",
      "an airplane in the sky",
      "a bicycle leaning against a wall",
      "a horse in a field",
      "a sandwich and fries",
      "a kitchen with wooden cabinets",
      "a bedroom with a bed",
      "a living room with a sofa",
      "a forest path in autumn",
      "a river flowing through a valley",
      "a sunset over the ocean",
      "a crowd at a concert",
      "a bus on a city street",
      "a cow grazing in a pasture",
      "a pizza with cheese",
      "a clock on a tower",
      "a person surfing a wave",
      "a tennis player hitting a ball",
      "a baby sleeping",
      "an old man smiling",
      "a dog running in the park",
      "a cat sleeping on a couch",
      "a street sign",
      "a bridge over a river",
      "a field of grass",
      "a tree in winter",
      "a glass of wine",
      "a bathroom sink",
      "a desert with sand dunes",
      "a motorcycle on the highway",
      "a soccer game in a stadium",
      "a birthday cake with candles",
      "a painting in a museum",
      "a portrait of a woman",
      "a market with vegetables",
      "a rainy day in the city",
      "an elephant in the savanna",
      "a fish in an aquarium",
      "a snowy road",
      "a beach with palm trees",
      "a computer screen with text",
      "a pair of shoes",
      "a chair by the window",
      "a garden with roses",
      "a lighthouse on a cliff",
      "a family having dinner",
  };
  return kCaptions;
}

}  // namespace clip
