// What a demo caption mentions, shared by the English and Chinese writers so
// both draw the same kinds of claims with the same odds.
#pragma once
#include <cstddef>
#include <vector>

#include "core/demo/demo_rng.h"

#include "core/demo/shapes.h"

namespace clip::demo {

enum Mention : unsigned { kColor = 1, kShape = 2, kSize = 4, kPosition = 8 };

// The mention sets a caption picks from.
constexpr unsigned kMentions[] = {kColor | kShape, kColor | kShape | kSize, kColor | kShape | kPosition,
                                  kColor | kShape | kSize | kPosition, kColor, kShape};
constexpr size_t kMentionCount = sizeof(kMentions) / sizeof(kMentions[0]);
// Odds of each set for a one-object picture.
constexpr int kOneObjectWeights[kMentionCount] = {30, 15, 15, 15, 12, 13};
// For two objects: each set about both, then two choices that mention only
// one of them (colour+shape; everything).
constexpr int kTwoObjectWeights[kMentionCount + 2] = {30, 10, 15, 8, 10, 10, 12, 5};

// The claim a caption mentioning `m` makes about `o`.
inline DemoObject claim(const DemoObject& o, unsigned m) {
  DemoObject d;
  if (m & kColor) d.color = o.color;
  if (m & kShape) d.shape = o.shape;
  if (m & kSize) d.size = o.size;
  if (m & kPosition) d.position = o.position;
  return d;
}

// The choices both languages share: which objects a caption mentions and
// which of their attributes, with the same odds. `Words` says how, with
//   one(o, m, rng)        a caption about one object,
//   two(a, b, m, rng)     about both, in that order,
//   one_of_two(o, m, rng) about one of two, the other left vague.
template <class Words>
DemoCaption compose_caption(const std::vector<DemoObject>& objects, DemoRng& rng, const Words& words) {
  DemoCaption out;
  if (objects.empty()) return out;
  if (objects.size() == 1) {
    const unsigned m = kMentions[rng.weighted(kOneObjectWeights)];
    out.text = words.one(objects[0], m, rng);
    out.describes.push_back(claim(objects[0], m));
    return out;
  }
  const size_t choice = rng.weighted(kTwoObjectWeights);
  const size_t i = rng.below(2), j = 1 - i;  // order in the sentence
  if (choice >= kMentionCount) {
    const unsigned m = choice == kMentionCount ? (kColor | kShape) : (kColor | kShape | kSize | kPosition);
    out.text = words.one_of_two(objects[i], m, rng);
    out.describes.push_back(claim(objects[i], m));
    return out;
  }
  const unsigned m = kMentions[choice];
  out.text = words.two(objects[i], objects[j], m, rng);
  out.describes.push_back(claim(objects[i], m));
  out.describes.push_back(claim(objects[j], m));
  return out;
}

}  // namespace clip::demo
