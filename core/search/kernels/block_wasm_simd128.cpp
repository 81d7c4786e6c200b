// WebAssembly SIMD128 block kernel: tiles of 4 queries x 2 rows with
// i32x4.dot_i16x8_s, exact for every int8 input. Four queries are widened
// once into a buffer; each row is widened as it is loaded (v128.load8x8_s)
// and used for all four, which is where a block gains over one query at a
// time: SIMD128 has no 8-bit dot product, so widening is much of the work.
#include <wasm_simd128.h>

#include "core/search/kernels.h"

namespace clip {
namespace {

constexpr int kTileQueries = 4;
constexpr size_t kMaxDim = 4096;  // kShardMaxDim: the widened tile is 32 KiB

inline int32_t hsum_i32x4(v128_t v) {
  return wasm_i32x4_extract_lane(v, 0) + wasm_i32x4_extract_lane(v, 1) + wasm_i32x4_extract_lane(v, 2) +
         wasm_i32x4_extract_lane(v, 3);
}

template <int Q, int R>
void tile(const int16_t* q16, const int8_t* rows, size_t dim, int32_t* out, size_t ldo) {
  v128_t acc[Q][R];
  for (int i = 0; i < Q; ++i)
    for (int j = 0; j < R; ++j) acc[i][j] = wasm_i32x4_splat(0);
  for (size_t d = 0; d < dim; d += 8) {  // dim is a multiple of 8
    v128_t v[R];
    for (int j = 0; j < R; ++j) v[j] = wasm_i16x8_load8x8(rows + j * dim + d);
    for (int i = 0; i < Q; ++i) {
      const v128_t qv = wasm_v128_load(q16 + i * dim + d);
      for (int j = 0; j < R; ++j) acc[i][j] = wasm_i32x4_add(acc[i][j], wasm_i32x4_dot_i16x8(v[j], qv));
    }
  }
  for (int i = 0; i < Q; ++i)
    for (int j = 0; j < R; ++j) out[i * ldo + j] = hsum_i32x4(acc[i][j]);
}

template <int Q>
void tile_queries(const int16_t* q16, const int8_t* rows, size_t n, size_t dim, int32_t* out, size_t ldo) {
  size_t r = 0;
  for (; r + 2 <= n; r += 2) tile<Q, 2>(q16, rows + r * dim, dim, out + r, ldo);
  if (r < n) tile<Q, 1>(q16, rows + r * dim, dim, out + r, ldo);
}

}  // namespace

void dot_i8_block_wasm(const int8_t* queries, size_t nq, const int8_t* rows, size_t n, size_t dim, int32_t* out) {
  alignas(16) static int16_t q16[kTileQueries * kMaxDim];  // wasm is single-threaded here; keeps 32 KiB off the stack
  if (dim > kMaxDim) {
    dot_i8_block_scalar(queries, nq, rows, n, dim, out);
    return;
  }
  for (size_t q0 = 0; q0 < nq; q0 += kTileQueries) {
    const size_t tq = nq - q0 < kTileQueries ? nq - q0 : kTileQueries;
    for (size_t i = 0; i < tq * dim; ++i) q16[i] = queries[q0 * dim + i];
    int32_t* o = out + q0 * n;
    switch (tq) {
      case 4: tile_queries<4>(q16, rows, n, dim, o, n); break;
      case 3: tile_queries<3>(q16, rows, n, dim, o, n); break;
      case 2: tile_queries<2>(q16, rows, n, dim, o, n); break;
      default: tile_queries<1>(q16, rows, n, dim, o, n); break;
    }
  }
}

}  // namespace clip
