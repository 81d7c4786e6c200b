// Every kernel variant this CPU runs must give exactly the scalar results,
// and the scalar ones must match plain integer arithmetic. Quantization must
// stay within its rounding bound of the float values.
#include "core/search/kernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace clip {
namespace {

const size_t kDims[] = {8, 16, 24, 40, 56, 64, 72, 120, 128, 136, 200, 248, 256, 264, 504, 512, 520, 768, 1000, 1024};
const size_t kCounts[] = {1, 3, 5, 17, 33};

std::vector<const Kernels*> variants() {
  const Kernels* list[8];
  const size_t n = available_kernels(list, 8);
  return {list, list + n};
}

TEST(Kernels, ScalarIsFirstAndBestIsListed) {
  const auto all = variants();
  ASSERT_FALSE(all.empty());
  EXPECT_STREQ(all.front()->name, "scalar");
  EXPECT_EQ(all.back(), &best_kernels());
  std::string names;
  for (const Kernels* k : all) names += std::string(" ") + k->name;
  RecordProperty("kernels", names);
  std::printf("kernel variants on this machine:%s (best: %s)\n", names.c_str(), best_kernels().name);
}

TEST(Kernels, ScalarDotMatchesIntegerReference) {
  std::mt19937 rng(1);
  for (size_t dim : kDims) {
    const size_t n = 7;
    std::vector<int8_t> q(dim), base(n * dim);
    for (auto& x : q) x = int8_t(rng());
    for (auto& x : base) x = int8_t(rng());
    // The extremes, where sign tricks and saturation go wrong.
    q[0] = -128;
    base[0] = -128;
    base[dim - 1] = 127;
    std::vector<int32_t> dots(n);
    kScalarKernels.dot_i8_batch(q.data(), base.data(), dim, n, dots.data());
    for (size_t r = 0; r < n; ++r) {
      int64_t want = 0;
      for (size_t i = 0; i < dim; ++i) want += int64_t(q[i]) * base[r * dim + i];
      EXPECT_EQ(dots[r], want) << "dim " << dim << " row " << r;
    }
  }
}

TEST(Kernels, ScalarHammingMatchesBitByBit) {
  std::mt19937 rng(2);
  for (size_t dim : kDims) {
    const size_t bytes = dim / 8, n = 5;
    std::vector<uint8_t> q(bytes), codes(n * bytes);
    for (auto& x : q) x = uint8_t(rng());
    for (auto& x : codes) x = uint8_t(rng());
    std::vector<uint32_t> out(n);
    kScalarKernels.hamming_batch(q.data(), codes.data(), bytes, n, out.data());
    for (size_t r = 0; r < n; ++r) {
      uint32_t want = 0;
      for (size_t b = 0; b < dim; ++b) want += ((q[b / 8] ^ codes[r * bytes + b / 8]) >> (b % 8)) & 1;
      EXPECT_EQ(out[r], want) << "dim " << dim;
    }
  }
}

TEST(Kernels, EveryVariantMatchesScalarExactly) {
  std::mt19937 rng(3);
  for (const Kernels* k : variants()) {
    for (size_t dim : kDims) {
      for (size_t n : kCounts) {
        // Exact-size heap buffers, so ASan catches any read past a row's end.
        std::vector<int8_t> q(dim), base(n * dim);
        for (auto& x : q) x = int8_t(rng());
        for (auto& x : base) x = int8_t(rng());
        if (n > 2) {  // rows of all -128 and all 127 against a query of extremes
          std::fill(base.begin(), base.begin() + long(dim), int8_t(-128));
          std::fill(base.begin() + long(dim), base.begin() + long(2 * dim), int8_t(127));
          for (size_t i = 0; i < dim; i += 2) q[i] = -128;
        }
        std::vector<int32_t> want(n), got(n, -1);
        kScalarKernels.dot_i8_batch(q.data(), base.data(), dim, n, want.data());
        k->dot_i8_batch(q.data(), base.data(), dim, n, got.data());
        EXPECT_EQ(got, want) << k->name << " dot, dim " << dim << " n " << n;

        const size_t bytes = dim / 8;
        std::vector<uint8_t> qb(bytes), codes(n * bytes);
        for (auto& x : qb) x = uint8_t(rng());
        for (auto& x : codes) x = uint8_t(rng());
        std::vector<uint32_t> hw(n), hg(n, 12345);
        kScalarKernels.hamming_batch(qb.data(), codes.data(), bytes, n, hw.data());
        k->hamming_batch(qb.data(), codes.data(), bytes, n, hg.data());
        EXPECT_EQ(hg, hw) << k->name << " hamming, dim " << dim << " n " << n;
      }
    }
  }
}

// The block kernel against the single-query one, query by query, on random
// bytes and the extremes (-128 against -128, 127 against -128), for every
// size where a tile is full or partial on either side.
TEST(Kernels, BlockMatchesScalarOnEveryVariant) {
  std::mt19937 rng(6);
  const size_t kQueryCounts[] = {1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 65, 70};
  const size_t kRowCounts[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 33};
  for (const Kernels* k : variants()) {
    for (size_t dim : {size_t(8), size_t(24), size_t(64), size_t(72), size_t(128), size_t(136), size_t(512),
                       size_t(520), size_t(1000)}) {
      for (size_t nq : kQueryCounts) {
        for (size_t n : kRowCounts) {
          if (nq > 17 && dim > 128) continue;  // the chunked-queries path: small dims suffice
          // Exact-size heap buffers, so ASan catches any read past the end.
          std::vector<int8_t> queries(nq * dim), rows(n * dim);
          for (auto& x : queries) x = int8_t(rng());
          for (auto& x : rows) x = int8_t(rng());
          if (n > 1) {
            std::fill(rows.begin(), rows.begin() + long(dim), int8_t(-128));
            std::fill(rows.begin() + long(dim), rows.begin() + long(2 * dim), int8_t(127));
          }
          std::fill(queries.begin(), queries.begin() + long(dim), int8_t(-128));
          std::vector<int32_t> want(nq * n), got(nq * n, -1);
          for (size_t i = 0; i < nq; ++i)
            kScalarKernels.dot_i8_batch(queries.data() + i * dim, rows.data(), dim, n, want.data() + i * n);
          k->dot_i8_block(queries.data(), nq, rows.data(), n, dim, got.data());
          ASSERT_EQ(got, want) << k->name << " block, dim " << dim << " queries " << nq << " rows " << n;
        }
      }
    }
  }
}

TEST(Quantize, CodesAndScaleFollowTheDefinition) {
  std::mt19937 rng(4);
  std::normal_distribution<float> g(0, 1);
  for (size_t dim : kDims) {
    std::vector<float> x(dim);
    for (auto& v : x) v = g(rng);
    l2_normalize(x.data(), dim);
    std::vector<int8_t> q(dim);
    const float scale = quantize_int8(x.data(), dim, q.data());
    float max_abs = 0;
    for (float v : x) max_abs = std::max(max_abs, std::fabs(v));
    EXPECT_EQ(scale, max_abs / 127.0f);
    bool has_extreme = false;
    for (size_t i = 0; i < dim; ++i) {
      EXPECT_GE(q[i], -127);
      EXPECT_LE(std::fabs(float(q[i]) * scale - x[i]), 0.5f * scale * 1.0001f) << "dim " << dim << " i " << i;
      has_extreme |= std::abs(q[i]) == 127;
    }
    EXPECT_TRUE(has_extreme) << "the largest component maps to +-127";
  }
  std::vector<float> zero(16, 0.0f);
  std::vector<int8_t> q(16, 1);
  EXPECT_EQ(quantize_int8(zero.data(), 16, q.data()), 0.0f);
  EXPECT_EQ(q, std::vector<int8_t>(16, 0));
}

TEST(Quantize, Int8CosineTracksFloatCosine) {
  // score = dot * scale_q * scale_v must stay close to the float cosine:
  // each side's rounding error is at most scale/2 per component.
  std::mt19937 rng(5);
  std::normal_distribution<float> g(0, 1);
  const size_t dim = 512;
  double worst = 0;
  for (int t = 0; t < 200; ++t) {
    std::vector<float> a(dim), b(dim);
    for (size_t i = 0; i < dim; ++i) {
      a[i] = g(rng);
      b[i] = 0.6f * a[i] + g(rng);  // correlated, like real neighbours
    }
    l2_normalize(a.data(), dim);
    l2_normalize(b.data(), dim);
    std::vector<int8_t> qa(dim), qb(dim);
    const float sa = quantize_int8(a.data(), dim, qa.data()), sb = quantize_int8(b.data(), dim, qb.data());
    int32_t dot = 0;
    kScalarKernels.dot_i8_batch(qa.data(), qb.data(), dim, 1, &dot);
    double exact = 0;
    for (size_t i = 0; i < dim; ++i) exact += double(a[i]) * b[i];
    worst = std::max(worst, std::fabs(double(dot) * sa * sb - exact));
  }
  EXPECT_LT(worst, 0.01);
}

TEST(Quantize, BinarizePacksSignsLittleEndianBits) {
  std::vector<float> x(16, -1.0f);
  x[0] = 0.5f;   // byte 0 bit 0
  x[7] = 2.0f;   // byte 0 bit 7
  x[9] = 1e-9f;  // byte 1 bit 1
  x[10] = 0.0f;  // zero is not positive
  std::vector<uint8_t> bits(2);
  binarize(x.data(), 16, bits.data());
  EXPECT_EQ(bits[0], 0x81);
  EXPECT_EQ(bits[1], 0x02);
}

TEST(Quantize, NormalizeReturnsNormAndLeavesZero) {
  std::vector<float> x = {3, 4, 0, 0, 0, 0, 0, 0};
  EXPECT_FLOAT_EQ(l2_normalize(x.data(), x.size()), 5.0f);
  EXPECT_FLOAT_EQ(x[0], 0.6f);
  EXPECT_FLOAT_EQ(x[1], 0.8f);
  std::vector<float> z(8, 0.0f);
  EXPECT_EQ(l2_normalize(z.data(), z.size()), 0.0f);
  EXPECT_EQ(z, std::vector<float>(8, 0.0f));
}

}  // namespace
}  // namespace clip
