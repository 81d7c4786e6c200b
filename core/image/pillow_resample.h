// Pillow's ImagingResample for 8-bit images (BICUBIC with a = -0.5, or
// BILINEAR), bit for bit:
// double-precision filter weights normalised per output pixel, rounded to
// Q22 fixed point, horizontal pass first, clipped to uint8 between passes.
// Unlike Pillow it computes only a window of the output, so a crop of a huge
// resize costs the crop, not the resize.
#pragma once
#include <cstdint>
#include <vector>

#include "core/image/preprocess.h"

namespace clip::pillow {

constexpr int kPrecisionBits = 32 - 8 - 2;  // Pillow's PRECISION_BITS

// One axis of a resize in_size -> out_size: for outputs [out_first,
// out_first + count()), which source samples and weights each one takes.
struct AxisTaps {
  int ksize = 0;                 // weight stride per output (Pillow's ksize)
  std::vector<int> first;        // first source sample per output
  std::vector<int> count;        // samples used per output (<= ksize)
  std::vector<int32_t> weights;  // count() * ksize, Q22, zero past count
  int size() const { return int(first.size()); }
  int source_begin() const { return first.front(); }
  int source_end() const { return first.back() + count.back(); }  // both monotone
};

// Pillow's precompute_coeffs + normalize_coeffs_8bpc, for a window of outputs.
AxisTaps filter_taps(ResampleFilter filter, int in_size, int out_size, int out_first, int out_count);

}  // namespace clip::pillow
