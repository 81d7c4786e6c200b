// What the caption tests share: building an object and checking a claim.
#pragma once
#include "core/demo/shapes.h"

namespace clip::demo::test {

inline DemoObject object(const char* shape, const char* color, const char* size, const char* position) {
  DemoObject o;
  o.shape = shape;
  o.color = color;
  o.size = size;
  o.position = position;
  return o;
}

// A caption's claim is true of `o` when every attribute it names matches.
inline bool claim_fits(const DemoObject& claim, const DemoObject& o) {
  return (claim.shape.empty() || claim.shape == o.shape) && (claim.color.empty() || claim.color == o.color) &&
         (claim.size.empty() || claim.size == o.size) && (claim.position.empty() || claim.position == o.position);
}

}  // namespace clip::demo::test
