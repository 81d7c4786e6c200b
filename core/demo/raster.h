// Antialiased rasterisation of the demo shapes. Geometry uses only + - * / on
// doubles (no libm), and the build forbids FMA contraction, so the pixels are
// the same on every platform, the wasm build included.
#pragma once
#include <cstdint>

#include "core/image/preprocess.h"

namespace clip::demo {

enum class Shape { circle, square, triangle, star, hexagon, heart, cross, diamond };
constexpr int kShapeCount = 8;

// How far the shape reaches from its centre, in units of its radius: the
// square's corners stick out of the unit circle.
constexpr double kShapeReach = 1.17;

// True when the point (u, v), in units of the radius from the centre with v
// pointing down, lies inside the shape.
bool shape_contains(Shape shape, double u, double v);

// Blends `shape` of radius `r` centred at pixel coordinates (cx, cy) into
// `img` with 4x4 supersampled coverage.
void paint_shape(RgbImage& img, Shape shape, double cx, double cy, double r, const uint8_t rgb[3]);

}  // namespace clip::demo
