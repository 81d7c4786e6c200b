#include "core/demo/caption.h"

#include <utility>

#include "core/demo/caption_mentions.h"
#include "core/demo/vocabulary.h"

namespace clip::demo {
namespace {

const char* plural_of(const std::string& shape) {
  for (const ShapeWord& s : kShapes)
    if (shape == s.name) return s.plural;
  return shape.c_str();
}

const char* position_phrase(const std::string& position, DemoRng& rng) {
  for (const PositionWord& p : kPositions)
    if (position == p.name) return p.phrases[rng.below(2)];
  return position.c_str();
}

std::string with_article(const std::string& phrase) {
  char c = phrase.empty() ? 'x' : phrase[0];
  bool vowel = c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
  return (vowel ? "an " : "a ") + phrase;
}

// "small red circle", "red shape", "circle" (no article, no position).
std::string noun(const DemoObject& o, unsigned m, DemoRng& rng, bool plural = false) {
  std::string s;
  if (m & kSize) s += o.size + " ";
  if (m & kColor) s += o.color + " ";
  if (m & kShape) {
    s += plural ? plural_of(o.shape) : o.shape.c_str();
  } else {
    static const char* kThing[] = {"shape", "object"};
    static const char* kThings[] = {"shapes", "objects"};
    s += (plural ? kThings : kThing)[rng.below(2)];
  }
  return s;
}

// "a small red circle on the left".
std::string noun_phrase(const DemoObject& o, unsigned m, DemoRng& rng) {
  std::string s = with_article(noun(o, m, rng));
  if (m & kPosition) s += std::string(" ") + position_phrase(o.position, rng);
  return s;
}

std::string one_object(const DemoObject& o, unsigned m, DemoRng& rng) {
  // Wordings that only fit some mention sets come first.
  if (m == kColor) {
    switch (rng.below(6)) {
      case 0: return "something " + o.color;
      case 1: return "a shape that is " + o.color;
      case 2: return with_article(o.color) + " colored shape";
      default: break;
    }
  } else if (m == kShape) {
    if (rng.below(4) == 0) return with_article(o.shape) + " shape";
  } else if (m == (kColor | kShape)) {
    switch (rng.below(8)) {
      case 0: return with_article(o.shape) + " that is " + o.color;
      case 1: return with_article(o.color) + " colored " + o.shape;
      default: break;
    }
  } else if (m & kPosition) {
    if (rng.below(4) == 0) return std::string(position_phrase(o.position, rng)) + ", " + noun_phrase(o, m & ~kPosition, rng);
  }
  std::string np = noun_phrase(o, m, rng);
  switch (rng.below(8)) {
    case 0: return "a photo of " + np;
    case 1: return "a picture of " + np;
    case 2: return "an image of " + np;
    case 3: return "a drawing of " + np;
    case 4: return "there is " + np;
    case 5: return (m & kPosition) ? np : noun(o, m, rng);  // bare: "red circle"
    default: return np;
  }
}

std::string two_objects(const DemoObject& a, const DemoObject& b, unsigned m, DemoRng& rng) {
  if (!(m & kPosition) && claim(a, m).color == claim(b, m).color && claim(a, m).shape == claim(b, m).shape &&
      claim(a, m).size == claim(b, m).size) {
    std::string n = noun(a, m, rng, /*plural=*/true);
    return rng.below(2) ? "two " + n : "a picture of two " + n;
  }
  std::string first = noun_phrase(a, m, rng), second = noun_phrase(b, m, rng);
  switch (rng.below(7)) {
    case 0: return "two shapes: " + first + " and " + second;
    case 1: return first + " next to " + second;
    case 2: return "a photo of " + first + " and " + second;
    case 3: return first + " with " + second;
    case 4: return "an image with " + first + " and " + second;
    default: return first + " and " + second;
  }
}

}  // namespace

DemoCaption write_caption(const std::vector<DemoObject>& objects, DemoRng& rng) {
  struct English {
    std::string one(const DemoObject& o, unsigned m, DemoRng& r) const { return one_object(o, m, r); }
    std::string two(const DemoObject& a, const DemoObject& b, unsigned m, DemoRng& r) const {
      return two_objects(a, b, m, r);
    }
    std::string one_of_two(const DemoObject& o, unsigned m, DemoRng& r) const {
      static const char* kRest[] = {" and another shape", " and one more shape", " beside another shape"};
      return noun_phrase(o, m, r) + kRest[r.below(3)];
    }
  };
  return compose_caption(objects, rng, English{});
}

}  // namespace clip::demo
