// Caption writing: every caption names what it claims, and every claim is
// true of the objects it was written for.
#include "core/demo/caption.h"

#include <gtest/gtest.h>

#include <set>

#include "demo_objects.h"

namespace clip::demo {
namespace {

using test::claim_fits;
using test::object;

TEST(DemoCaption, ClaimsAreTrueAndNamedInTheText) {
  const std::vector<std::vector<DemoObject>> scenes = {
      {object("circle", "red", "small", "left")},
      {object("heart", "orange", "large", "top right"), object("star", "blue", "small", "bottom")},
      {object("cross", "white", "small", "left"), object("cross", "white", "small", "right")},
  };
  for (const auto& objects : scenes) {
    std::set<std::string> texts;
    for (uint64_t k = 0; k < 400; ++k) {
      DemoRng rng(7, k, 1);
      DemoCaption c = write_caption(objects, rng);
      texts.insert(c.text);
      ASSERT_GE(c.describes.size(), 1u) << c.text;
      ASSERT_LE(c.describes.size(), objects.size()) << c.text;
      for (size_t i = 0; i < c.describes.size(); ++i) {
        const DemoObject& d = c.describes[i];
        EXPECT_FALSE(d.shape.empty() && d.color.empty()) << c.text;  // always a colour or a shape
        for (const std::string* word : {&d.shape, &d.color, &d.size, &d.position})
          EXPECT_NE(c.text.find(*word), std::string::npos) << c.text << " lacks '" << *word << "'";
      }
      // Claims map to distinct objects.
      if (c.describes.size() == 1) {
        bool any = false;
        for (const auto& o : objects) any |= claim_fits(c.describes[0], o);
        EXPECT_TRUE(any) << c.text;
      } else {
        EXPECT_TRUE((claim_fits(c.describes[0], objects[0]) && claim_fits(c.describes[1], objects[1])) ||
                    (claim_fits(c.describes[0], objects[1]) && claim_fits(c.describes[1], objects[0])))
            << c.text;
      }
      for (const char* wrong : {"a orange", "a image", "a object", "an red", "an small"})
        EXPECT_EQ(c.text.find(wrong), std::string::npos) << c.text;
    }
    EXPECT_GT(texts.size(), 30u) << "captions should vary in wording";
  }
}

TEST(DemoCaption, IdenticalObjectsAreCountedAsTwo) {
  std::vector<DemoObject> twins = {object("cross", "white", "small", "left"),
                                   object("cross", "white", "small", "right")};
  bool plural = false;
  for (uint64_t k = 0; k < 400 && !plural; ++k) {
    DemoRng rng(1, k, 1);
    plural = write_caption(twins, rng).text.find("two white crosses") != std::string::npos;
  }
  EXPECT_TRUE(plural);
}

}  // namespace
}  // namespace clip::demo
