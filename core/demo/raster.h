// Antialiased rasterisation of the demo shapes. Geometry uses only + - * / on
// doubles (no libm), and the build forbids FMA contraction, so the pixels are
// the same on every platform, the wasm build included.
#pragma once
#include <cstdint>

#include "core/image/preprocess.h"

namespace clip::demo {

// Silhouettes that stay distinct at the demo model's 32-pixel patches: a
// hexagon or a diamond would sit too close to the circle or the square for a
// model small enough to train on a CPU in minutes.
enum class Shape { circle, square, triangle, star, heart, cross };
constexpr int kShapeCount = 6;

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
