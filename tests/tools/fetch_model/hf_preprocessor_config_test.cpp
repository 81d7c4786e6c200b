// apply_hf_preprocessor_config: a Hugging Face preprocessor_config.json
// becomes model.json's image settings. Chinese-CLIP's (both sides to a square,
// no centre crop) is the exact-size rule; CLIP's is shortest edge + crop.
#include <gtest/gtest.h>

#include "tools/fetch_model/url_template.h"

namespace clipsearch {
namespace {

clip::ModelManifest apply(const std::string& json) {
  clip::ModelManifest m;
  const clip::Status s = apply_hf_preprocessor_config(json, &m);
  EXPECT_TRUE(s.ok()) << s.message();
  return m;
}

std::string error_of(const std::string& json) {
  clip::ModelManifest m;
  const clip::Status s = apply_hf_preprocessor_config(json, &m);
  EXPECT_FALSE(s.ok()) << json;
  return s.ok() ? "" : s.message();
}

// The settings of Xenova/chinese-clip-vit-base-patch16's file (docs/MODELS.md;
// models/standins/make_fused_standin.py rebuilds its exact bytes).
TEST(HfPreprocessorConfig, ChineseClipResizesBothSidesAndCropsNothing) {
  const clip::ModelManifest m = apply(R"({
    "crop_size": {"height": 224, "width": 224}, "do_center_crop": false, "do_convert_rgb": true,
    "do_normalize": true, "do_rescale": true, "do_resize": true,
    "image_mean": [0.48145466, 0.4578275, 0.40821073], "image_std": [0.26862954, 0.26130258, 0.27577711],
    "resample": 3, "rescale_factor": 0.00392156862745098, "size": {"height": 224, "width": 224}})");
  EXPECT_EQ(m.image.size, 224);
  EXPECT_EQ(m.image.resize, clip::ResizeRule::exact);
  EXPECT_EQ(m.image.resample, clip::ResampleFilter::bicubic);
}

// Without a centre crop crop_size is unused: the 336 px export says crop 224.
TEST(HfPreprocessorConfig, CropSizeIsIgnoredWithoutACentreCrop) {
  const clip::ModelManifest m = apply(R"({"size": {"height": 336, "width": 336},
    "crop_size": {"height": 224, "width": 224}, "do_center_crop": false, "resample": 3})");
  EXPECT_EQ(m.image.size, 336);
  EXPECT_EQ(m.image.resize, clip::ResizeRule::exact);
}

TEST(HfPreprocessorConfig, ClipKeepsShortestEdgeAndCentreCrop) {
  const clip::ModelManifest m =
      apply(R"({"size": {"shortest_edge": 224}, "crop_size": {"height": 224, "width": 224}, "resample": 3})");
  EXPECT_EQ(m.image.size, 224);
  EXPECT_EQ(m.image.resize, clip::ResizeRule::shortest_edge_center_crop);
}

TEST(HfPreprocessorConfig, NoCropOfANonSquareResizeIsRefused) {
  EXPECT_NE(error_of(R"({"size": {"shortest_edge": 224}, "do_center_crop": false})").find("do_center_crop"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"size": {"shortest_edge": 256}, "crop_size": 224})").find("crop_size"),
            std::string::npos);
}

}  // namespace
}  // namespace clipsearch
