// Chinese caption writing: every claim is true of the objects and named in the
// text in one of its Chinese forms, and the wording varies.
#include "core/demo/caption_zh.h"

#include <gtest/gtest.h>

#include <set>

#include "core/demo/vocabulary_zh.h"
#include "demo_objects.h"

namespace clip::demo {
namespace {

using test::claim_fits;
using test::object;

// Whether `text` holds one of the Chinese forms of English word `name`.
template <class Word, size_t N>
bool names(const std::string& text, const Word (&table)[N], const ZhWord (&zh)[N], const std::string& name) {
  if (name.empty()) return true;
  for (size_t i = 0; i < N; ++i)
    if (name == table[i].name)
      return text.find(zh[i].forms[0]) != std::string::npos || text.find(zh[i].forms[1]) != std::string::npos;
  ADD_FAILURE() << "unknown word " << name;
  return false;
}

TEST(DemoCaptionZh, ClaimsAreTrueAndNamedInTheText) {
  const std::vector<std::vector<DemoObject>> scenes = {
      {object("circle", "red", "small", "left")},
      {object("heart", "orange", "large", "top right"), object("star", "blue", "small", "bottom")},
      {object("cross", "white", "small", "left"), object("cross", "white", "small", "right")},
  };
  for (const auto& objects : scenes) {
    std::set<std::string> texts;
    for (uint64_t k = 0; k < 400; ++k) {
      DemoRng rng(7, k, 1);
      DemoCaption c = write_caption_zh(objects, rng);
      texts.insert(c.text);
      ASSERT_GE(c.describes.size(), 1u) << c.text;
      ASSERT_LE(c.describes.size(), objects.size()) << c.text;
      for (const DemoObject& d : c.describes) {
        EXPECT_FALSE(d.shape.empty() && d.color.empty()) << c.text;
        EXPECT_TRUE(names(c.text, kShapes, kShapesZh, d.shape)) << c.text << " lacks " << d.shape;
        EXPECT_TRUE(names(c.text, kColors, kColorsZh, d.color)) << c.text << " lacks " << d.color;
        EXPECT_TRUE(names(c.text, kSizes, kSizesZh, d.size)) << c.text << " lacks " << d.size;
        EXPECT_TRUE(names(c.text, kPositions, kPositionsZh, d.position)) << c.text << " lacks " << d.position;
      }
      if (c.describes.size() == 1) {
        bool any = false;
        for (const auto& o : objects) any |= claim_fits(c.describes[0], o);
        EXPECT_TRUE(any) << c.text;
      } else {
        EXPECT_TRUE((claim_fits(c.describes[0], objects[0]) && claim_fits(c.describes[1], objects[1])) ||
                    (claim_fits(c.describes[0], objects[1]) && claim_fits(c.describes[1], objects[0])))
            << c.text;
      }
      // Chinese text: no English words, no spaces.
      EXPECT_EQ(c.text.find_first_of(" abcdefghijklmnopqrstuvwxyz"), std::string::npos) << c.text;
    }
    EXPECT_GT(texts.size(), 30u) << "captions should vary in wording";
  }
}

TEST(DemoCaptionZh, WordingsAPersonWouldType) {
  // The examples all come up.
  std::set<std::string> seen;
  const std::vector<DemoObject> circle = {object("circle", "red", "small", "left")};
  const std::vector<DemoObject> star = {object("star", "blue", "small", "left")};
  const std::vector<DemoObject> pair = {object("square", "blue", "large", "left"),
                                        object("star", "yellow", "small", "right")};
  for (uint64_t k = 0; k < 2000; ++k) {
    for (const auto* objects : {&circle, &star, &pair}) {
      DemoRng rng(3, k, 1);
      seen.insert(write_caption_zh(*objects, rng).text);
    }
  }
  for (const char* want : {"红色的圆形", "左边有一个蓝色的星星", "两个形状：一个蓝色的正方形和一个黄色的星星",
                           "两个形状：一个黄色的星星和一个蓝色的正方形"})
    EXPECT_TRUE(seen.count(want)) << want;
}

TEST(DemoCaptionZh, IdenticalObjectsAreCountedAsTwo) {
  std::vector<DemoObject> twins = {object("cross", "white", "small", "left"),
                                   object("cross", "white", "small", "right")};
  bool counted = false;
  for (uint64_t k = 0; k < 400 && !counted; ++k) {
    DemoRng rng(1, k, 1);
    const std::string text = write_caption_zh(twins, rng).text;
    counted = text.find("两个白色") != std::string::npos;
  }
  EXPECT_TRUE(counted);
}

}  // namespace
}  // namespace clip::demo
