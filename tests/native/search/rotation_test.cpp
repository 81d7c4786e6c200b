// The rotation applied before quantization must keep dot products, invert
// exactly enough, and spread a large dimension over its block.
#include "core/search/rotation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace clip {
namespace {

const size_t kDims[] = {8, 16, 24, 64, 512, 520, 768, 1000, 1024, 4096};

std::vector<float> random_vector(size_t dim, std::mt19937& rng) {
  std::normal_distribution<float> g(0, 1);
  std::vector<float> v(dim);
  for (auto& x : v) x = g(rng);
  return v;
}

double dot(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += double(a[i]) * b[i];
  return s;
}

TEST(Rotation, KeepsDotProductsAndInverts) {
  std::mt19937 rng(1);
  for (size_t dim : kDims) {
    const std::vector<float> a = random_vector(dim, rng), b = random_vector(dim, rng);
    std::vector<float> ra = a, rb = b;
    rotate(ra.data(), dim);
    rotate(rb.data(), dim);
    EXPECT_NEAR(dot(ra, rb), dot(a, b), 1e-4 * dim) << "dim " << dim;
    EXPECT_NEAR(dot(ra, ra), dot(a, a), 1e-4 * dim) << "dim " << dim;
    EXPECT_NE(ra, a) << "it does move vectors";
    unrotate(ra.data(), dim);
    for (size_t i = 0; i < dim; ++i) EXPECT_NEAR(ra[i], a[i], 1e-5f) << "dim " << dim << " i " << i;
  }
}

TEST(Rotation, SpreadsASpikeOverItsBlock) {
  // 768 = 512 + 256: a spike in the second block lands on its 256 values.
  std::vector<float> x(768, 0.0f);
  x[600] = 1.0f;
  rotate(x.data(), x.size());
  for (size_t i = 0; i < 512; ++i) EXPECT_EQ(x[i], 0.0f);
  for (size_t i = 512; i < 768; ++i) EXPECT_NEAR(std::fabs(x[i]), 1.0f / 16.0f, 1e-7f) << i;
}

TEST(Rotation, SignPatternIsSharedAcrossDims) {
  // The flips are a function of the index alone: rotating e_0 in dims 8 and
  // 16 gives the same first block up to the Hadamard normalisation.
  std::vector<float> a(8, 0.0f), b(16, 0.0f);
  a[3] = 1.0f;
  b[3] = 1.0f;
  rotate(a.data(), 8);
  rotate(b.data(), 16);
  for (size_t i = 0; i < 8; ++i) EXPECT_NEAR(a[i] / std::sqrt(2.0f), b[i], 1e-7f);
}

}  // namespace
}  // namespace clip
