// Captions for a demo picture: what to mention (colour, shape, size,
// position, one or both objects) and how to word it, both drawn at random so
// the text encoder sees the variety a search box gets.
#pragma once
#include <vector>

#include "core/demo/demo_rng.h"
#include "core/demo/shapes.h"

namespace clip::demo {

DemoCaption write_caption(const std::vector<DemoObject>& objects, DemoRng& rng);

}  // namespace clip::demo
