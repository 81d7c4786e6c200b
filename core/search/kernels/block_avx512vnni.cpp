// AVX-512 VNNI block kernel: tiles of 4 queries x 4 rows, 16 vpdpbusd
// accumulators fed by 4 row loads and 4 query loads per 64 bytes. As in the
// single-query kernel, rows are shifted into unsigned range (v ^ 0x80 =
// v + 128) and 128 * sum(q) is subtracted per query: exact for every int8
// input. Rows are the outer loop, so each is read from memory once and
// reused from L1 for every query of the block.
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12's AVX-512 headers build "undefined" vectors as `__m512i __Y = __Y;`,
// which -Wmaybe-uninitialized reports wherever they are inlined.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <cstdint>

#include "core/search/kernels.h"

namespace clip {
namespace {

constexpr size_t kQueryChunk = 64;  // queries whose excess is kept at once
constexpr uintptr_t kPrefetchAhead = 4096;  // see dot_avx512vnni.cpp

inline void prefetch_ahead(const int8_t* rows, size_t bytes) {
  const uintptr_t at = reinterpret_cast<uintptr_t>(rows) + kPrefetchAhead;
  for (uintptr_t i = 0; i < bytes; i += 64) _mm_prefetch(reinterpret_cast<const char*>(at + i), _MM_HINT_T0);
}

inline __mmask64 tail_mask(size_t left) { return left >= 64 ? ~__mmask64(0) : (__mmask64(1) << left) - 1; }

// The four lane sums of a, b, c, d in one vector: a transpose-and-add,
// cheaper than four separate reductions.
inline __m128i sum4(__m512i a, __m512i b, __m512i c, __m512i d) {
  const __m512i ab = _mm512_add_epi32(_mm512_unpacklo_epi32(a, b), _mm512_unpackhi_epi32(a, b));
  const __m512i cd = _mm512_add_epi32(_mm512_unpacklo_epi32(c, d), _mm512_unpackhi_epi32(c, d));
  // Each 128-bit lane now holds partial sums of a, b, c, d in that order.
  const __m512i abcd = _mm512_add_epi32(_mm512_unpacklo_epi64(ab, cd), _mm512_unpackhi_epi64(ab, cd));
  const __m256i half = _mm256_add_epi32(_mm512_castsi512_si256(abcd), _mm512_extracti64x4_epi64(abcd, 1));
  return _mm_add_epi32(_mm256_castsi256_si128(half), _mm256_extracti128_si256(half, 1));
}

// out[i * ldo + j] = <q_i, row_j> for Q queries (dim apart) and R rows.
template <int Q, int R>
void tile(const int8_t* q, const int32_t* excess, const int8_t* rows, size_t dim, int32_t* out, size_t ldo) {
  const __m512i flip = _mm512_set1_epi8(char(0x80));
  __m512i acc[Q][R];
  for (int i = 0; i < Q; ++i)
    for (int j = 0; j < R; ++j) acc[i][j] = _mm512_setzero_si512();
  for (size_t d = 0; d < dim; d += 64) {
    const __mmask64 m = tail_mask(dim - d);
    __m512i v[R];
    // Masked-off lanes: v = 128, q = 0, product 0.
    for (int j = 0; j < R; ++j) v[j] = _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, rows + j * dim + d), flip);
    for (int i = 0; i < Q; ++i) {
      const __m512i qv = _mm512_maskz_loadu_epi8(m, q + i * dim + d);
      for (int j = 0; j < R; ++j) acc[i][j] = _mm512_dpbusd_epi32(acc[i][j], v[j], qv);
    }
  }
  if constexpr (R == 4) {
    for (int i = 0; i < Q; ++i) {
      const __m128i s = _mm_sub_epi32(sum4(acc[i][0], acc[i][1], acc[i][2], acc[i][3]), _mm_set1_epi32(excess[i]));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i * ldo), s);
    }
  } else {
    for (int i = 0; i < Q; ++i)
      for (int j = 0; j < R; ++j) out[i * ldo + j] = _mm512_reduce_add_epi32(acc[i][j]) - excess[i];
  }
}

using TileFn = void (*)(const int8_t*, const int32_t*, const int8_t*, size_t, int32_t*, size_t);

// tiles[Q - 1][R - 1]: the partial tiles at the edges of the block.
constexpr TileFn kTiles[4][4] = {
    {tile<1, 1>, tile<1, 2>, tile<1, 3>, tile<1, 4>},
    {tile<2, 1>, tile<2, 2>, tile<2, 3>, tile<2, 4>},
    {tile<3, 1>, tile<3, 2>, tile<3, 3>, tile<3, 4>},
    {tile<4, 1>, tile<4, 2>, tile<4, 3>, tile<4, 4>},
};

}  // namespace

void dot_i8_block_avx512vnni(const int8_t* queries, size_t nq, const int8_t* rows, size_t n, size_t dim,
                             int32_t* out) {
  int32_t excess[kQueryChunk];
  for (size_t q0 = 0; q0 < nq; q0 += kQueryChunk) {
    const size_t qn = nq - q0 < kQueryChunk ? nq - q0 : kQueryChunk;
    const int8_t* qs = queries + q0 * dim;
    for (size_t i = 0; i < qn; ++i) {
      int32_t sum = 0;
      for (size_t d = 0; d < dim; ++d) sum += qs[i * dim + d];
      excess[i] = 128 * sum;
    }
    for (size_t r = 0; r < n; r += 4) {
      const size_t rn = n - r < 4 ? n - r : 4;
      prefetch_ahead(rows + r * dim, rn * dim);
      for (size_t i = 0; i < qn; i += 4) {
        const size_t tq = qn - i < 4 ? qn - i : 4;
        kTiles[tq - 1][rn - 1](qs + i * dim, excess + i, rows + r * dim, dim, out + (q0 + i) * n + r, n);
      }
    }
  }
}

}  // namespace clip
