// resize_window / resize_and_crop / make_thumbnail: Pillow's pass-skipping,
// windows that agree with the full resize, extreme aspect ratios with memory
// bounded by the crop, and the thumbnail size rule.
#include <gtest/gtest.h>

#include "heap_peak.h"
#include "image_test_util.h"

namespace clip {
namespace {

using test::patterned;

RgbImage region(const RgbImage& a, int x0, int y0, int w, int h) {
  RgbImage o{w, h, {}};
  for (int y = 0; y < h; ++y) {
    const uint8_t* s = &a.pixels[(size_t(y0 + y) * size_t(a.width) + size_t(x0)) * 3];
    o.pixels.insert(o.pixels.end(), s, s + size_t(w) * 3);
  }
  return o;
}

TEST(ResizeWindow, WindowsAgreeWithTheWholeResize) {
  const RgbImage src = patterned(97, 61);
  struct Case { int ow, oh; };
  for (Case c : {Case{40, 25}, Case{200, 130}, Case{97, 30}, Case{50, 61}, Case{300, 20}}) {
    Result<RgbImage> whole = resize_window(src, c.ow, c.oh, 0, 0, c.ow, c.oh);
    ASSERT_TRUE(whole.ok()) << whole.message();
    for (int x0 : {0, c.ow / 3, c.ow - 7})
      for (int y0 : {0, c.oh / 2, c.oh - 5}) {
        Result<RgbImage> win = resize_window(src, c.ow, c.oh, x0, y0, 7, 5);
        ASSERT_TRUE(win.ok()) << win.message();
        EXPECT_EQ(win->pixels, region(*whole, x0, y0, 7, 5).pixels)
            << c.ow << "x" << c.oh << " at " << x0 << "," << y0;
      }
  }
}

TEST(ResizeWindow, SameSizeIsACopy) {
  const RgbImage src = patterned(31, 17);
  Result<RgbImage> same = resize_window(src, 31, 17, 3, 2, 20, 10);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->pixels, region(src, 3, 2, 20, 10).pixels);
}

TEST(ResizeWindow, FlatStaysFlat) {
  // Weights are normalised per output pixel: a constant image stays exact,
  // up or down, on either axis.
  RgbImage flat{53, 29, std::vector<uint8_t>(53 * 29 * 3, 0)};
  for (size_t i = 0; i < flat.pixels.size(); i += 3) {
    flat.pixels[i] = 200;
    flat.pixels[i + 1] = 7;
    flat.pixels[i + 2] = 255;
  }
  for (auto [w, h] : {std::pair{11, 5}, std::pair{160, 90}, std::pair{53, 300}}) {
    Result<RgbImage> r = resize_window(flat, w, h, 0, 0, w, h);
    ASSERT_TRUE(r.ok());
    for (size_t i = 0; i < r->pixels.size(); i += 3) {
      ASSERT_EQ(r->pixels[i], 200);
      ASSERT_EQ(r->pixels[i + 1], 7);
      ASSERT_EQ(r->pixels[i + 2], 255);
    }
  }
}

TEST(ResizeWindow, RejectsBadArguments) {
  const RgbImage src = patterned(10, 10);
  EXPECT_FALSE(resize_window(src, 20, 20, 15, 0, 10, 10).ok());
  EXPECT_FALSE(resize_window(src, 20, 20, -1, 0, 10, 10).ok());
  EXPECT_FALSE(resize_window(src, 0, 20, 0, 0, 0, 10).ok());
  EXPECT_FALSE(resize_window(RgbImage{10, 10, {}}, 20, 20, 0, 0, 5, 5).ok());
  Result<RgbImage> r = resize_window(src, 20, 20, 15, 0, 10, 10);
  EXPECT_EQ(r.message(), "resize: window 10x10+15+0 is not inside 20x20");
}

// A strip resized so its short side is 224 would be 224 x 224,000,000; only
// the crop may be computed, and memory must stay near the crop's size.
TEST(ResizeAndCrop, ExtremeStripsStayBounded) {
  const size_t crop_bytes = 224 * 224 * 3;
  for (auto [w, h] : {std::pair{1, 1000000}, std::pair{1000000, 1}, std::pair{3, 700000}}) {
    const RgbImage strip = patterned(w, h);
    test::heap_peak_reset();
    Result<RgbImage> crop = resize_and_crop(strip, PreprocessConfig{});
    const size_t peak = test::heap_peak_since_reset();
    ASSERT_TRUE(crop.ok()) << crop.message();
    EXPECT_EQ(crop->width, 224);
    EXPECT_EQ(crop->height, 224);
    EXPECT_GE(peak, crop_bytes);  // the crop itself is counted
    EXPECT_LT(peak, 2 * crop_bytes) << w << "x" << h << " peaked at " << peak << " bytes";
  }
}

TEST(ResizeAndCrop, DownscaleMemoryIsTheNeededRowsOnly) {
  // Shrinking 1600x1200 needs every source row, but only 224 columns of each.
  const RgbImage src = patterned(1600, 1200);
  test::heap_peak_reset();
  Result<RgbImage> crop = resize_and_crop(src, PreprocessConfig{});
  const size_t peak = test::heap_peak_since_reset();
  ASSERT_TRUE(crop.ok());
  EXPECT_LT(peak, size_t(224) * 1200 * 3 + 224 * 224 * 3 + 64 * 1024);
}

TEST(ResizeAndCrop, TooExtremeAspectIsAnError) {
  Result<ImageSize> s = shortest_side_size(16000000, 1, 224);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("too extreme"), std::string::npos);
}

TEST(Thumbnail, LongestSideNeverEnlarged) {
  const RgbImage src = patterned(300, 200);
  Result<RgbImage> t = make_thumbnail(src, 128);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->width, 128);
  EXPECT_EQ(t->height, 85);  // 200 * 128 / 300 = 85.33
  Result<RgbImage> tall = make_thumbnail(patterned(3, 1000), 100);
  ASSERT_TRUE(tall.ok());
  EXPECT_EQ(tall->width, 1);
  EXPECT_EQ(tall->height, 100);
  Result<RgbImage> small = make_thumbnail(src, 512);
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(small->pixels, src.pixels);
  EXPECT_FALSE(make_thumbnail(src, 0).ok());
}

TEST(Thumbnail, SameResamplerAsTheCrop) {
  // A thumbnail is the whole-window case of resize_window.
  const RgbImage src = test::load_rgb("golden/images/sk_chelsea.png");
  Result<RgbImage> t = make_thumbnail(src, 160);
  ASSERT_TRUE(t.ok());
  Result<RgbImage> full = resize_window(src, t->width, t->height, 0, 0, t->width, t->height);
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(t->pixels, full->pixels);
}

}  // namespace
}  // namespace clip
