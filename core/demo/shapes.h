// The synthetic captioned-shapes dataset the bundled demo model is trained on
// (`clipsearch demo-data`). Deterministic: image i of seed s is the same pixels
// whatever the count. Spec and word lists: docs/DEMO_MODEL.md.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/image/preprocess.h"

namespace clip {

struct DemoObject {
  std::string shape;     // "circle", "square", "triangle", "star", ...
  std::string color;     // "red", "green", ...
  std::string size;      // "small", "large"
  std::string position;  // "left", "right", "top", "bottom", "center", "top left", ...
  // Where it was drawn (pixels): lets tests and tools check the picture
  // against its words. Not part of the captions.jsonl contract.
  int cx = 0, cy = 0, radius = 0;
};

// A caption and what it claims: one partial object per object it mentions,
// with the attributes it does not mention left empty. A caption is true of any
// image that holds distinct objects matching each claim (models/train_demo.py
// uses this to know which captions in a batch fit which images).
struct DemoCaption {
  std::string text;
  std::vector<DemoObject> describes;
};

struct DemoSample {
  RgbImage image;  // 224x224
  std::string caption;
  std::vector<DemoObject> objects;    // one or two
  std::vector<DemoObject> describes;  // what `caption` claims
  std::string caption_zh;             // a Chinese caption, worded on its own
  std::vector<DemoObject> describes_zh;
};

constexpr int kDemoImageSize = 224;

DemoSample render_demo_sample(uint64_t seed, uint64_t index);

// Another caption of the same image (variant >= 1; variant 0 is the sample's
// own), drawn from its own random stream: more wording per image for
// training without re-rendering.
DemoCaption demo_caption(uint64_t seed, uint64_t index, const std::vector<DemoObject>& objects,
                         uint32_t variant);

// A Chinese caption of the same image (variant 0 is the sample's own), from
// random streams apart from the picture's and the English captions', so
// adding Chinese changed no pixel and no English caption.
DemoCaption demo_caption_zh(uint64_t seed, uint64_t index, const std::vector<DemoObject>& objects,
                            uint32_t variant);

// The vocabularies the generator draws from (for evaluation queries).
const std::vector<std::string>& demo_shapes();
const std::vector<std::string>& demo_colors();
const std::vector<std::string>& demo_sizes();
const std::vector<std::string>& demo_positions();

}  // namespace clip
