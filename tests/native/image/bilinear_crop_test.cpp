// PreprocessConfig::resample = bilinear against Pillow's Image.BILINEAR
// (MobileCLIP: shortest side to 256, centre crop 256), from the reference
// crops in tests/data/image/bilinear. Lossless inputs: within 1 level, mean
// < 0.1, as the bicubic golden crops.
#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "image_test_util.h"

namespace clip {
namespace {

struct BilinearCase {
  std::string image, crop;
};

nlohmann::json bilinear_index() {
  const std::vector<uint8_t> text = test::read_bytes(test::image_data("bilinear/cases.json"));
  return nlohmann::json::parse(text.begin(), text.end());
}

std::vector<BilinearCase> bilinear_cases() {
  const nlohmann::json index = bilinear_index();
  std::vector<BilinearCase> out;
  for (const auto& c : index.at("cases")) out.push_back({c.at("image"), c.at("crop")});
  return out;
}

PreprocessConfig mobileclip_config() {
  const nlohmann::json index = bilinear_index();
  PreprocessConfig cfg;
  cfg.size = index.at("size");
  Result<ResampleFilter> filter = parse_resample_filter(index.at("resample").get<std::string>());
  EXPECT_TRUE(filter.ok());
  if (filter) cfg.resample = *filter;
  return cfg;
}

class BilinearCrop : public testing::TestWithParam<BilinearCase> {};

TEST_P(BilinearCrop, MatchesPillow) {
  const BilinearCase& c = GetParam();
  const RgbImage image = test::load_rgb(c.image);
  const PreprocessConfig cfg = mobileclip_config();
  Result<RgbImage> crop = resize_and_crop(image, cfg);
  ASSERT_TRUE(crop.ok()) << crop.message();
  const RgbImage expected = test::load_rgb(c.crop);
  const test::PixelDiff d = test::pixel_diff(*crop, expected);
  std::printf("[ bilinear ] %-38s max %3d  mean %.4f\n", c.image.c_str(), d.max, d.mean);
  EXPECT_LE(d.max, 1);
  EXPECT_LT(d.mean, 0.1);

  // The encoded-bytes path honours the filter too.
  Result<std::vector<float>> tensor = preprocess_encoded(test::read_bytes(test::image_data(c.image)), cfg);
  ASSERT_TRUE(tensor.ok()) << tensor.message();
  EXPECT_EQ(*tensor, normalize_to_nchw(*crop, cfg));
}

std::string case_name(const testing::TestParamInfo<BilinearCase>& p) { return test::case_name_from_path(p.param.image); }

INSTANTIATE_TEST_SUITE_P(Pillow, BilinearCrop, testing::ValuesIn(bilinear_cases()), case_name);

// The filter is not a no-op: bicubic misses the bilinear reference on a photo.
TEST(Bilinear, DiffersFromBicubic) {
  const std::vector<BilinearCase> cases = bilinear_cases();
  ASSERT_FALSE(cases.empty());
  const BilinearCase& c = cases.front();
  PreprocessConfig cfg = mobileclip_config();
  cfg.resample = ResampleFilter::bicubic;
  Result<RgbImage> crop = resize_and_crop(test::load_rgb(c.image), cfg);
  ASSERT_TRUE(crop.ok()) << crop.message();
  EXPECT_GT(test::pixel_diff(*crop, test::load_rgb(c.crop)).max, 1);
}

TEST(ResampleFilterName, ParsesWhatItPrints) {
  for (ResampleFilter f : {ResampleFilter::bicubic, ResampleFilter::bilinear}) {
    Result<ResampleFilter> back = parse_resample_filter(resample_filter_name(f));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, f);
  }
  Result<ResampleFilter> bad = parse_resample_filter("lanczos");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("\"lanczos\""), std::string::npos) << bad.message();
  EXPECT_FALSE(parse_resample_filter("Bilinear").ok());  // names are exact, as model.json writes them
  EXPECT_EQ(PreprocessConfig{}.resample, ResampleFilter::bicubic);
}

}  // namespace
}  // namespace clip
