// What a demo caption mentions, shared by the English and Chinese writers so
// both draw the same kinds of claims with the same odds.
#pragma once
#include <cstddef>

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

}  // namespace clip::demo
