// Reference kernels: plain loops every other variant must match exactly.
#include <cstring>

#include "core/search/kernels.h"

namespace clip {
namespace {

void dot_i8_batch_scalar(const int8_t* q, const int8_t* base, size_t dim, size_t n, int32_t* dots) {
  for (size_t r = 0; r < n; ++r, base += dim) {
    int32_t sum = 0;
    for (size_t i = 0; i < dim; ++i) sum += int32_t(q[i]) * int32_t(base[i]);
    dots[r] = sum;
  }
}

void hamming_batch_scalar(const uint8_t* q, const uint8_t* codes, size_t bytes, size_t n, uint32_t* out) {
  for (size_t r = 0; r < n; ++r, codes += bytes) {
    uint32_t d = 0;
    size_t i = 0;
    for (; i + 8 <= bytes; i += 8) {
      uint64_t a, b;
      std::memcpy(&a, q + i, 8);
      std::memcpy(&b, codes + i, 8);
      d += uint32_t(__builtin_popcountll(a ^ b));
    }
    for (; i < bytes; ++i) d += uint32_t(__builtin_popcount(unsigned(q[i] ^ codes[i])));
    out[r] = d;
  }
}

}  // namespace

const Kernels kScalarKernels = {"scalar", dot_i8_batch_scalar, hamming_batch_scalar, dot_i8_block_scalar};

}  // namespace clip
