// A fixed orthogonal transform applied to embeddings before they are
// quantized: sign flips from a fixed pattern, then a normalised Walsh-Hadamard
// transform over each power-of-two block of the dimensions (512 is one block;
// 768 is 512 + 256). It spreads dimensions with unusually large values over
// the whole block, so a per-vector int8 scale is not set by a few of them and
// every sign bit carries information. Dot products are unchanged:
// <R x, R y> = <x, y>. Part of the shard format: docs/FORMAT.md.
#pragma once
#include <cstddef>

namespace clip {

// x <- R x; dim must be a multiple of 8.
void rotate(float* x, size_t dim);
// x <- R^T x, the inverse of rotate().
void unrotate(float* x, size_t dim);

}  // namespace clip
