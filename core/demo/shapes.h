// The synthetic captioned-shapes dataset the bundled demo model is trained on
// (`clipsearch demo-data`). Deterministic: image i of seed s is the same pixels
// whatever the count.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/image/preprocess.h"

namespace clip {

struct DemoObject {
  std::string shape;     // "circle", "square", "triangle", "star", ...
  std::string color;     // "red", "green", ...
  std::string size;      // "small", "large", ...
  std::string position;  // "left", "right", "top", "bottom", "center", ...
};

struct DemoSample {
  RgbImage image;  // 224x224
  std::string caption;
  std::vector<DemoObject> objects;
};

DemoSample render_demo_sample(uint64_t seed, uint64_t index);

// The vocabularies the generator draws from (for evaluation queries).
const std::vector<std::string>& demo_shapes();
const std::vector<std::string>& demo_colors();

}  // namespace clip
