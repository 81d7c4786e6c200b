// AVX2 block kernel: tiles of 4 queries x 2 rows. int8 is widened to int16
// and multiplied with vpmaddwd, exact for every int8 input (as in
// dot_avx2.cpp). Four queries are widened once into a stack buffer and then
// run against every row of the block, which after the first tile come from
// L2. Only intrinsics and local code here (see dot_avx2.cpp).
#include <immintrin.h>

#include <cstdint>

#include "core/search/kernels.h"

namespace clip {
namespace {

constexpr int kTileQueries = 4;
constexpr size_t kMaxDim = 4096;  // kShardMaxDim: the widened tile is 32 KiB of stack

inline int32_t hsum_epi32(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm_cvtsi128_si32(s);
}

// out[i * ldo + j] = <q16_i, row_j> for Q widened queries (dim apart) and R rows.
template <int Q, int R>
void tile(const int16_t* q16, const int8_t* rows, size_t dim, int32_t* out, size_t ldo) {
  __m256i acc[Q][R];
  for (int i = 0; i < Q; ++i)
    for (int j = 0; j < R; ++j) acc[i][j] = _mm256_setzero_si256();
  size_t d = 0;
  for (; d + 16 <= dim; d += 16) {
    __m256i v[R];
    for (int j = 0; j < R; ++j)
      v[j] = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(rows + j * dim + d)));
    for (int i = 0; i < Q; ++i) {
      const __m256i qv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q16 + i * dim + d));
      for (int j = 0; j < R; ++j) acc[i][j] = _mm256_add_epi32(acc[i][j], _mm256_madd_epi16(v[j], qv));
    }
  }
  if (d < dim) {  // 8 left (dim is a multiple of 8): a 16-byte row load would overrun
    for (int j = 0; j < R; ++j) {
      const __m128i v = _mm_cvtepi8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(rows + j * dim + d)));
      for (int i = 0; i < Q; ++i) {
        const __m128i qv = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q16 + i * dim + d));
        acc[i][j] = _mm256_add_epi32(acc[i][j], _mm256_zextsi128_si256(_mm_madd_epi16(v, qv)));
      }
    }
  }
  for (int i = 0; i < Q; ++i)
    for (int j = 0; j < R; ++j) out[i * ldo + j] = hsum_epi32(acc[i][j]);
}

template <int Q>
void tile_queries(const int16_t* q16, const int8_t* rows, size_t n, size_t dim, int32_t* out, size_t ldo) {
  size_t r = 0;
  for (; r + 2 <= n; r += 2) tile<Q, 2>(q16, rows + r * dim, dim, out + r, ldo);
  if (r < n) tile<Q, 1>(q16, rows + r * dim, dim, out + r, ldo);
}

}  // namespace

void dot_i8_block_avx2(const int8_t* queries, size_t nq, const int8_t* rows, size_t n, size_t dim, int32_t* out) {
  // The widened queries; a query starts 16-byte aligned only (dim is a
  // multiple of 8), hence unaligned loads, as fast as aligned ones on aligned data.
  alignas(32) int16_t q16[kTileQueries * kMaxDim];
  if (dim > kMaxDim) {  // beyond the shard format's limit: the reference loop
    dot_i8_block_scalar(queries, nq, rows, n, dim, out);
    return;
  }
  for (size_t q0 = 0; q0 < nq; q0 += kTileQueries) {
    const size_t tq = nq - q0 < kTileQueries ? nq - q0 : kTileQueries;
    for (size_t i = 0; i < tq; ++i) {
      const int8_t* q = queries + (q0 + i) * dim;
      int16_t* w = q16 + i * dim;
      size_t d = 0;
      for (; d + 16 <= dim; d += 16)
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(w + d),
                           _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(q + d))));
      if (d < dim)
        _mm_storeu_si128(reinterpret_cast<__m128i*>(w + d),
                        _mm_cvtepi8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(q + d))));
    }
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
