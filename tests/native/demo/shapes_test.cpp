// The demo dataset generator: deterministic per (seed, index), objects drawn
// where and how their words say, colours that stand out from the background.
#include "core/demo/shapes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "core/demo/raster.h"
#include "core/demo/vocabulary.h"

namespace clip {
namespace {

const uint8_t* pixel(const RgbImage& img, int x, int y) { return &img.pixels[(size_t(y) * img.width + x) * 3]; }

const demo::ColorWord& palette(const std::string& name) {
  for (const auto& c : demo::kColors)
    if (name == c.name) return c;
  ADD_FAILURE() << "unknown colour " << name;
  return demo::kColors[0];
}

bool in(const std::vector<std::string>& words, const std::string& w) {
  return std::find(words.begin(), words.end(), w) != words.end();
}

TEST(DemoShapes, ImageDependsOnlyOnSeedAndIndex) {
  // What `--count` changes is how many come before: render the same picture
  // alone and after others.
  for (uint64_t i = 0; i < 5; ++i) (void)render_demo_sample(3, i);
  DemoSample after = render_demo_sample(3, 17);
  DemoSample alone = render_demo_sample(3, 17);
  EXPECT_EQ(after.image.pixels, alone.image.pixels);
  EXPECT_EQ(after.caption, alone.caption);
  EXPECT_EQ(after.caption_zh, alone.caption_zh);
  ASSERT_EQ(after.objects.size(), alone.objects.size());

  EXPECT_NE(render_demo_sample(3, 18).image.pixels, alone.image.pixels);
  EXPECT_NE(render_demo_sample(4, 17).image.pixels, alone.image.pixels);
}

TEST(DemoShapes, ObjectsAreDrawnAsTheirWordsSay) {
  for (uint64_t i = 0; i < 300; ++i) {
    DemoSample s = render_demo_sample(11, i);
    ASSERT_EQ(s.image.width, kDemoImageSize);
    ASSERT_EQ(s.image.height, kDemoImageSize);
    ASSERT_EQ(s.image.pixels.size(), size_t(kDemoImageSize) * kDemoImageSize * 3);
    ASSERT_GE(s.objects.size(), 1u);
    ASSERT_LE(s.objects.size(), 2u);
    for (const DemoObject& o : s.objects) {
      ASSERT_TRUE(in(demo_shapes(), o.shape) && in(demo_colors(), o.color) && in(demo_sizes(), o.size) &&
                  in(demo_positions(), o.position))
          << s.caption;
      EXPECT_EQ(o.size == "small", o.radius <= 32) << o.radius;
      // Columns and rows of the 3x3 grid, with room for jitter and radius.
      bool left = o.position.find("left") != std::string::npos;
      bool right = o.position.find("right") != std::string::npos;
      bool top = o.position.find("top") != std::string::npos;
      bool bottom = o.position.find("bottom") != std::string::npos;
      EXPECT_TRUE(left ? o.cx < 100 : right ? o.cx > 124 : (o.cx >= 100 && o.cx <= 124)) << o.position << " " << o.cx;
      EXPECT_TRUE(top ? o.cy < 100 : bottom ? o.cy > 124 : (o.cy >= 100 && o.cy <= 124)) << o.position << " " << o.cy;
      // The whole shape is inside the picture.
      double reach = o.radius * demo::kShapeReach;
      EXPECT_TRUE(o.cx - reach >= 0 && o.cx + reach <= kDemoImageSize && o.cy - reach >= 0 &&
                  o.cy + reach <= kDemoImageSize);
      // Its centre pixel has its colour (within the per-object jitter), far
      // from the background at the corners, which no shape reaches.
      const uint8_t* c = pixel(s.image, o.cx, o.cy);
      const demo::ColorWord& want = palette(o.color);
      for (int k = 0; k < 3; ++k) EXPECT_LE(std::abs(c[k] - want.rgb[k]), 10) << o.color;
      for (auto [x, y] : {std::pair{0, 0}, {223, 0}, {0, 223}, {223, 223}}) {
        const uint8_t* b = pixel(s.image, x, y);
        int d2 = 0;
        for (int k = 0; k < 3; ++k) d2 += (c[k] - b[k]) * (c[k] - b[k]);
        EXPECT_GE(d2, 80 * 80) << o.color << " on the background of image " << i;
      }
    }
    if (s.objects.size() == 2) {
      const DemoObject &a = s.objects[0], &b = s.objects[1];
      EXPECT_NE(a.position, b.position);
      double gap = (a.radius + b.radius) * demo::kShapeReach;
      EXPECT_GE(double(a.cx - b.cx) * (a.cx - b.cx) + double(a.cy - b.cy) * (a.cy - b.cy), gap * gap);
    }
  }
}

TEST(DemoShapes, EveryWordOccurs) {
  std::set<std::string> shapes, colors, sizes, positions;
  int pairs = 0;
  const int n = 600;
  for (int i = 0; i < n; ++i) {
    DemoSample s = render_demo_sample(5, i);
    pairs += s.objects.size() == 2;
    for (const auto& o : s.objects) shapes.insert(o.shape), colors.insert(o.color), sizes.insert(o.size),
        positions.insert(o.position);
  }
  EXPECT_EQ(shapes.size(), demo_shapes().size());
  EXPECT_EQ(colors.size(), demo_colors().size());
  EXPECT_EQ(sizes.size(), demo_sizes().size());
  EXPECT_EQ(positions.size(), demo_positions().size());
  EXPECT_GT(pairs, n / 5);      // two-object pictures are common...
  EXPECT_LT(pairs, n * 3 / 5);  // ...but most show one
}

TEST(DemoShapes, CaptionVariantsAreStableAndTheFirstIsTheSamples) {
  DemoSample s = render_demo_sample(9, 4);
  EXPECT_EQ(demo_caption(9, 4, s.objects, 0).text, s.caption);
  std::set<std::string> texts;
  for (uint32_t v = 1; v <= 8; ++v) {
    DemoCaption c = demo_caption(9, 4, s.objects, v);
    EXPECT_EQ(c.text, demo_caption(9, 4, s.objects, v).text);
    texts.insert(c.text);
  }
  EXPECT_GT(texts.size(), 4u);
}

TEST(DemoShapes, ChineseCaptionsDrawFromTheirOwnStreams) {
  DemoSample s = render_demo_sample(9, 4);
  EXPECT_EQ(demo_caption_zh(9, 4, s.objects, 0).text, s.caption_zh);
  ASSERT_FALSE(s.caption_zh.empty());
  std::set<std::string> texts;
  for (uint32_t v = 1; v <= 8; ++v) {
    // A Chinese variant does not disturb the English one of the same number.
    EXPECT_EQ(demo_caption(9, 4, s.objects, v).text, demo_caption(9, 4, s.objects, v).text);
    texts.insert(demo_caption_zh(9, 4, s.objects, v).text);
  }
  EXPECT_GT(texts.size(), 4u);
}

}  // namespace
}  // namespace clip
