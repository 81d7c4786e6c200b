// The shape rasteriser: each shape fits the reach the scene planner assumes,
// the shapes look different from each other, and edges are antialiased.
#include "core/demo/raster.h"

#include <gtest/gtest.h>

#include <cmath>

namespace clip::demo {
namespace {

constexpr Shape kAll[] = {Shape::circle, Shape::square, Shape::triangle,
                          Shape::star,   Shape::heart,  Shape::cross};

// Fraction of a grid over [-1.5, 1.5]^2 where exactly one of a, b holds.
double disagreement(Shape a, Shape b) {
  int differ = 0, n = 0;
  for (int y = 0; y < 120; ++y) {
    for (int x = 0; x < 120; ++x, ++n) {
      double u = -1.5 + 3.0 * (x + 0.5) / 120, v = -1.5 + 3.0 * (y + 0.5) / 120;
      differ += shape_contains(a, u, v) != shape_contains(b, u, v);
    }
  }
  return double(differ) / n;
}

TEST(DemoRaster, EveryShapeStaysWithinItsReachAndHoldsItsCentre) {
  for (Shape s : kAll) {
    EXPECT_TRUE(shape_contains(s, 0, 0)) << int(s);
    for (int y = 0; y <= 300; ++y) {
      for (int x = 0; x <= 300; ++x) {
        double u = -1.5 + x * 0.01, v = -1.5 + y * 0.01;
        if (shape_contains(s, u, v)) {
          ASSERT_LE(u * u + v * v, kShapeReach * kShapeReach) << int(s);
        }
      }
    }
  }
}

TEST(DemoRaster, ShapesCanBeToldApart) {
  // A model can only learn the names if the outlines differ visibly.
  for (Shape a : kAll) {
    for (Shape b : kAll) {
      if (a != b) {
        EXPECT_GT(disagreement(a, b), 0.05) << int(a) << " vs " << int(b);
      }
    }
  }
}

TEST(DemoRaster, CircleCoversItsAreaWithSoftEdges) {
  RgbImage img;
  img.width = img.height = 100;
  img.pixels.assign(100 * 100 * 3, 0);
  const uint8_t white[3] = {255, 255, 255};
  paint_shape(img, Shape::circle, 50, 50, 30, white);

  double covered = 0;
  int partial = 0;
  for (size_t i = 0; i < img.pixels.size(); i += 3) {
    covered += img.pixels[i] / 255.0;
    partial += img.pixels[i] > 0 && img.pixels[i] < 255;
  }
  EXPECT_NEAR(covered, M_PI * 30 * 30, M_PI * 30 * 30 * 0.01);
  EXPECT_GT(partial, 100);                          // an antialiased rim...
  EXPECT_EQ(img.pixels[(50 * 100 + 50) * 3], 255);  // ...around a solid inside
  EXPECT_EQ(img.pixels[(50 * 100 + 5) * 3], 0);     // and nothing far outside
}

TEST(DemoRaster, PaintingNearTheBorderIsClipped) {
  RgbImage img;
  img.width = img.height = 20;
  img.pixels.assign(20 * 20 * 3, 0);
  const uint8_t red[3] = {200, 0, 0};
  paint_shape(img, Shape::star, -5, 25, 30, red);  // centre outside the image
  int touched = 0;
  for (size_t i = 0; i < img.pixels.size(); i += 3) touched += img.pixels[i] > 0;
  EXPECT_GT(touched, 0);
}

}  // namespace
}  // namespace clip::demo
