// Randomised Hadamard transform. Adds, subtracts and one multiply per value
// in a fixed order: native and wasm results are bit-identical.
#include "core/search/rotation.h"

#include <cmath>
#include <cstdint>

namespace clip {
namespace {

// Sign of dimension i: the top bit of splitmix64(i). A pure function of i, so
// every dim uses a prefix of the same pattern.
float flip(size_t i) {
  uint64_t z = uint64_t(i) + 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return (z ^ (z >> 31)) >> 63 ? -1.0f : 1.0f;
}

void flip_signs(float* x, size_t dim) {
  for (size_t i = 0; i < dim; ++i) x[i] *= flip(i);
}

// Normalised Walsh-Hadamard transform of each block; blocks are the powers
// of two in dim's binary expansion, largest first. H is its own inverse.
void hadamard_blocks(float* x, size_t dim) {
  size_t start = 0;
  for (size_t n = size_t(1) << 12; n >= 8; n >>= 1) {
    if (!(dim & n)) continue;
    float* b = x + start;
    for (size_t h = 1; h < n; h *= 2)
      for (size_t i = 0; i < n; i += 2 * h)
        for (size_t j = i; j < i + h; ++j) {
          const float u = b[j], v = b[j + h];
          b[j] = u + v;
          b[j + h] = u - v;
        }
    const float norm = float(1.0 / std::sqrt(double(n)));
    for (size_t i = 0; i < n; ++i) b[i] *= norm;
    start += n;
  }
}

}  // namespace

void rotate(float* x, size_t dim) {
  flip_signs(x, dim);
  hadamard_blocks(x, dim);
}

void unrotate(float* x, size_t dim) {
  hadamard_blocks(x, dim);
  flip_signs(x, dim);
}

}  // namespace clip
