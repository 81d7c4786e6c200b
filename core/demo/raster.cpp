#include "core/demo/raster.h"

#include <algorithm>

namespace clip::demo {
namespace {

struct Point {
  double x, y;
};

// Even-odd crossing test.
template <size_t N>
bool polygon_contains(const Point (&p)[N], double u, double v) {
  bool inside = false;
  for (size_t i = 0, j = N - 1; i < N; j = i++) {
    if ((p[i].y > v) != (p[j].y > v)) {
      double x = p[j].x + (v - p[j].y) * (p[i].x - p[j].x) / (p[i].y - p[j].y);
      if (u < x) inside = !inside;
    }
  }
  return inside;
}

// Five-pointed star, point up, outer radius 1, inner 0.42, shifted down so
// its box is centred. Angles are multiples of 36 degrees from the top; the
// sines and cosines are written out so no libm result can differ.
constexpr double kC18 = 0.95105651629515357, kS18 = 0.30901699437494742;
constexpr double kC54 = 0.58778525229247313, kS54 = 0.80901699437494742;
constexpr double kIn = 0.42, kDy = 0.095;
constexpr Point kStar[10] = {
    {0, -1 + kDy},           {kC54 * kIn, -kS54 * kIn + kDy}, {kC18, -kS18 + kDy},
    {kC18 * kIn, kS18 * kIn + kDy}, {kC54, kS54 + kDy},        {0, kIn + kDy},
    {-kC54, kS54 + kDy},     {-kC18 * kIn, kS18 * kIn + kDy}, {-kC18, -kS18 + kDy},
    {-kC54 * kIn, -kS54 * kIn + kDy},
};

// Near-equilateral, point up, corners within kShapeReach.
constexpr Point kTriangle[3] = {{0, -0.9}, {0.92, 0.72}, {-0.92, 0.72}};

}  // namespace

bool shape_contains(Shape shape, double u, double v) {
  double au = u < 0 ? -u : u, av = v < 0 ? -v : v;
  switch (shape) {
    case Shape::circle: return u * u + v * v <= 1.0;
    case Shape::square: return au <= 0.82 && av <= 0.82;
    case Shape::triangle: return polygon_contains(kTriangle, u, v);
    case Shape::star: return polygon_contains(kStar, u, v);
    case Shape::heart: {
      // (x^2 + y^2 - 1)^3 <= x^2 y^3 with y up; its box is centred at y = 0.118.
      double x = u * 1.15, y = -v * 1.15 + 0.118;
      double q = x * x + y * y - 1.0;
      return q * q * q <= x * x * y * y * y;
    }
    case Shape::cross: return (au <= 0.3 && av <= 0.95) || (av <= 0.3 && au <= 0.95);
  }
  return false;
}

void paint_shape(RgbImage& img, Shape shape, double cx, double cy, double r, const uint8_t rgb[3]) {
  constexpr int kSub = 4;  // samples per pixel side
  double reach = r * kShapeReach + 1;
  int x0 = std::max(0, static_cast<int>(cx - reach)), x1 = std::min(img.width - 1, static_cast<int>(cx + reach));
  int y0 = std::max(0, static_cast<int>(cy - reach)), y1 = std::min(img.height - 1, static_cast<int>(cy + reach));
  double inv_r = 1.0 / r;
  for (int py = y0; py <= y1; ++py) {
    for (int px = x0; px <= x1; ++px) {
      int covered = 0;
      for (int sy = 0; sy < kSub; ++sy) {
        double v = (py + (sy + 0.5) / kSub - cy) * inv_r;
        for (int sx = 0; sx < kSub; ++sx) {
          double u = (px + (sx + 0.5) / kSub - cx) * inv_r;
          covered += shape_contains(shape, u, v);
        }
      }
      if (covered == 0) continue;
      uint8_t* p = &img.pixels[(static_cast<size_t>(py) * img.width + px) * 3];
      constexpr int kAll = kSub * kSub;
      for (int c = 0; c < 3; ++c) p[c] = static_cast<uint8_t>((p[c] * (kAll - covered) + rgb[c] * covered + kAll / 2) / kAll);
    }
  }
}

}  // namespace clip::demo
