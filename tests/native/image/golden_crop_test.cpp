// Every reference case in tests/data/image/golden (Hugging Face
// CLIPImageProcessor + Pillow): our decode -> resize -> crop against the
// expected 224x224 crop. Lossless inputs must agree to 1 level (mean < 0.1);
// JPEG inputs may differ by decoder (stb_image vs libjpeg), mean < 2.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "image_test_util.h"

namespace clip {
namespace {

struct GoldenCase {
  std::string image, crop;
  int stored_w, stored_h, resized_w, resized_h, top, left;
  bool lossy;
};

std::vector<GoldenCase> golden_cases() {
  std::vector<uint8_t> text = test::read_bytes(test::image_data("golden/preprocess_cases.json"));
  nlohmann::json j = nlohmann::json::parse(text.begin(), text.end());
  std::vector<GoldenCase> out;
  for (const auto& c : j.at("cases"))
    out.push_back({c.at("image"), c.at("crop"), c.at("stored_size")[0], c.at("stored_size")[1],
                   c.at("resized_size")[0], c.at("resized_size")[1], c.at("crop_top_left")[0],
                   c.at("crop_top_left")[1], c.at("lossy")});
  return out;
}

class GoldenCrop : public testing::TestWithParam<GoldenCase> {};

TEST_P(GoldenCrop, MatchesReference) {
  const GoldenCase& g = GetParam();
  const std::vector<uint8_t> bytes = test::read_bytes(test::image_data("golden/" + g.image));

  Result<ImageInfo> info = probe_image(bytes);
  ASSERT_TRUE(info.ok()) << info.message();
  const bool swapped = info->orientation >= 5;
  EXPECT_EQ(swapped ? info->height : info->width, g.stored_w);
  EXPECT_EQ(swapped ? info->width : info->height, g.stored_h);

  Result<RgbImage> image = decode_image(bytes);
  ASSERT_TRUE(image.ok()) << image.message();
  EXPECT_EQ(image->width, info->width);
  EXPECT_EQ(image->height, info->height);

  Result<ImageSize> resized = shortest_side_size(image->width, image->height, 224);
  ASSERT_TRUE(resized.ok());
  EXPECT_EQ(resized->width, g.resized_w);
  EXPECT_EQ(resized->height, g.resized_h);

  PreprocessConfig cfg;
  Result<RgbImage> crop = resize_and_crop(*image, cfg);
  ASSERT_TRUE(crop.ok()) << crop.message();
  ASSERT_EQ(crop->width, 224);
  ASSERT_EQ(crop->height, 224);
  const RgbImage expected = test::load_rgb("golden/" + g.crop);

  const test::PixelDiff d = test::pixel_diff(*crop, expected);
  std::printf("[ golden   ] %-38s %-8s max %3d  mean %.4f\n", g.image.c_str(),
              g.lossy ? "jpeg" : "lossless", d.max, d.mean);
  if (g.lossy) {
    EXPECT_LT(d.mean, 2.0);
  } else {
    EXPECT_LE(d.max, 1);
    EXPECT_LT(d.mean, 0.1);
  }
}

std::string case_name(const testing::TestParamInfo<GoldenCase>& p) { return test::case_name_from_path(p.param.image); }

INSTANTIATE_TEST_SUITE_P(Golden, GoldenCrop, testing::ValuesIn(golden_cases()), case_name);

// The normalised tensor is NCHW with (x/255 - mean)/std per channel.
TEST(Normalize, GoldenCropToNchw) {
  const RgbImage crop = test::load_rgb("golden/crops/sk_chelsea.crop.png");
  PreprocessConfig cfg;
  const std::vector<float> t = normalize_to_nchw(crop, cfg);
  ASSERT_EQ(t.size(), size_t(3 * 224 * 224));
  const double mean[3] = {0.48145466, 0.4578275, 0.40821073};
  const double std_[3] = {0.26862954, 0.26130258, 0.27577711};
  double worst = 0;
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < 224; ++y)
      for (int x = 0; x < 224; ++x) {
        const double v = crop.pixels[size_t(y * 224 + x) * 3 + size_t(c)];
        const double want = (v / 255.0 - mean[c]) / std_[c];
        worst = std::max(worst, std::fabs(t[size_t(c * 224 * 224 + y * 224 + x)] - want));
      }
  EXPECT_LT(worst, 1e-5);
}

// The whole path in one call gives the same tensor as the steps above.
TEST(Preprocess, EncodedEqualsSteps) {
  const std::vector<uint8_t> bytes = test::read_bytes(test::image_data("golden/images/sk_coffee.png"));
  PreprocessConfig cfg;
  Result<std::vector<float>> whole = preprocess_encoded(bytes, cfg);
  ASSERT_TRUE(whole.ok()) << whole.message();
  Result<RgbImage> crop = resize_and_crop(test::load_rgb("golden/images/sk_coffee.png"), cfg);
  ASSERT_TRUE(crop.ok());
  EXPECT_EQ(*whole, normalize_to_nchw(*crop, cfg));
}

}  // namespace
}  // namespace clip
