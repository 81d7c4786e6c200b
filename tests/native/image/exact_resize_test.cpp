// ResizeRule::exact (model.json "resize": "exact", "crop": "none"; Chinese-CLIP):
// both sides to `size` with Pillow's filter, against Pillow's own resize
// (tests/data/image/exact), and with memory bounded however tall the source.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "heap_peak.h"
#include "image_test_util.h"

namespace clip {
namespace {

using test::patterned;

struct ExactCase {
  std::string image, resample, reference;
};

nlohmann::json exact_index() {
  const std::vector<uint8_t> text = test::read_bytes(test::image_data("exact/cases.json"));
  return nlohmann::json::parse(text.begin(), text.end());
}

std::vector<ExactCase> exact_cases() {
  const nlohmann::json index = exact_index();  // alive for the loop (a temporary's member would not be)
  std::vector<ExactCase> out;
  for (const auto& c : index.at("cases")) out.push_back({c.at("image"), c.at("resample"), c.at("crop")});
  return out;
}

PreprocessConfig exact_config(const std::string& resample) {
  const nlohmann::json index = exact_index();
  PreprocessConfig cfg;
  cfg.size = index.at("size");
  Result<ResizeRule> rule = parse_resize_rule(index.at("resize").get<std::string>(), index.at("crop").get<std::string>());
  EXPECT_TRUE(rule.ok());
  if (rule) cfg.resize = *rule;
  Result<ResampleFilter> filter = parse_resample_filter(resample);
  EXPECT_TRUE(filter.ok());
  if (filter) cfg.resample = *filter;
  return cfg;
}

class ExactResizeGolden : public testing::TestWithParam<ExactCase> {};

TEST_P(ExactResizeGolden, MatchesPillow) {
  const ExactCase& c = GetParam();
  const PreprocessConfig cfg = exact_config(c.resample);
  ASSERT_EQ(cfg.resize, ResizeRule::exact);
  Result<RgbImage> out = resize_and_crop(test::load_rgb(c.image), cfg);
  ASSERT_TRUE(out.ok()) << out.message();
  const test::PixelDiff d = test::pixel_diff(*out, test::load_rgb(c.reference));
  std::printf("[ exact ] %-34s %-8s max %3d  mean %.4f\n", c.image.c_str(), c.resample.c_str(), d.max, d.mean);
  EXPECT_LE(d.max, 1);
  EXPECT_LT(d.mean, 0.1);

  Result<std::vector<float>> tensor = preprocess_encoded(test::read_bytes(test::image_data(c.image)), cfg);
  ASSERT_TRUE(tensor.ok()) << tensor.message();
  EXPECT_EQ(*tensor, normalize_to_nchw(*out, cfg));
}

std::string case_name(const testing::TestParamInfo<ExactCase>& p) {
  return test::case_name_from_path(p.param.image) + "_" + p.param.resample;
}

INSTANTIATE_TEST_SUITE_P(Pillow, ExactResizeGolden, testing::ValuesIn(exact_cases()), case_name);

// The rule is not CLIP's: on a 3:2 photo, shortest side + centre crop misses.
TEST(ExactResize, DiffersFromShortestEdgeAndCrop) {
  const ExactCase c = exact_cases().front();
  PreprocessConfig cfg = exact_config(c.resample);
  cfg.resize = ResizeRule::shortest_edge_center_crop;
  Result<RgbImage> crop = resize_and_crop(test::load_rgb(c.image), cfg);
  ASSERT_TRUE(crop.ok()) << crop.message();
  EXPECT_GT(test::pixel_diff(*crop, test::load_rgb(c.reference)).mean, 5.0);
}

// A tall source shrunk to 224 rows goes through in bands of output rows; the
// result equals small windows of the same resize (each one band).
TEST(ExactResize, TallSourcesAgreeWithWindows) {
  const RgbImage src = patterned(5, 40000, 777);
  Result<RgbImage> whole = resize_window(src, 224, 224, 0, 0, 224, 224);
  ASSERT_TRUE(whole.ok()) << whole.message();
  for (int y0 : {0, 101, 219})
    for (int x0 : {0, 150}) {
      Result<RgbImage> win = resize_window(src, 224, 224, x0, y0, 5, 5);
      ASSERT_TRUE(win.ok()) << win.message();
      for (int y = 0; y < 5; ++y)
        for (int x = 0; x < 5 * 3; ++x)
          ASSERT_EQ(win->pixels[size_t(y) * 15 + size_t(x)],
                    whole->pixels[(size_t(y0 + y) * 224 + size_t(x0)) * 3 + size_t(x)])
              << "window at " << x0 << "," << y0;
    }
}

TEST(ExactResize, TallStripMemoryIsBanded) {
  // 2 x 100,000 to 224 x 224: all rows at once would be 224 x 100,000 x 3 = 67 MB.
  const RgbImage strip = patterned(2, 100000, 777);
  PreprocessConfig cfg;
  cfg.resize = ResizeRule::exact;
  test::heap_peak_reset();
  Result<RgbImage> out = resize_and_crop(strip, cfg);
  const size_t peak = test::heap_peak_since_reset();
  ASSERT_TRUE(out.ok()) << out.message();
  EXPECT_EQ(out->width, 224);
  EXPECT_EQ(out->height, 224);
  EXPECT_LT(peak, size_t(12) << 20) << "peaked at " << peak << " bytes";
}

TEST(ExactResize, TooElongatedIsAnError) {
  PreprocessConfig cfg;
  cfg.resize = ResizeRule::exact;
  Result<RgbImage> r = resize_and_crop(patterned(1, 1000000, 777), cfg);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message(), "resize: 1x1000000 is too elongated to resize to 224x224 (more than 4096 source pixels per output pixel)");
}

TEST(ResizeRuleName, ParsesWhatItPrints) {
  for (ResizeRule rule : {ResizeRule::shortest_edge_center_crop, ResizeRule::exact}) {
    Result<ResizeRule> back = parse_resize_rule(resize_rule_resize_name(rule), resize_rule_crop_name(rule));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, rule);
  }
  Result<ResizeRule> mixed = parse_resize_rule("exact", "center");
  ASSERT_FALSE(mixed.ok());
  EXPECT_NE(mixed.message().find("\"exact\" resizes to the square itself"), std::string::npos) << mixed.message();
  EXPECT_FALSE(parse_resize_rule("shortest_edge", "none").ok());
  Result<ResizeRule> unknown = parse_resize_rule("squash", "none");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.message().find("\"squash\" is unknown"), std::string::npos) << unknown.message();
  EXPECT_EQ(PreprocessConfig{}.resize, ResizeRule::shortest_edge_center_crop);
}

}  // namespace
}  // namespace clip
