// AVX-512 VNNI kernels. vpdpbusd multiplies unsigned by signed bytes, so the
// stored vector is shifted into unsigned range (v ^ 0x80 = v + 128) and the
// excess, 128 * sum(q), is subtracted once per call: exact for every int8
// input, no saturation. Tails use masked loads, which cannot fault.
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

// Hardware prefetchers lose track when four rows 512 bytes apart are read in
// step (several streams in one 4 KiB page), and the scan then runs at ~60% of
// the rate memory is read at; asking for the lines 4 KiB ahead of the rows in
// hand keeps it at that rate (bench/search_speed.cpp measures both).
constexpr uintptr_t kPrefetchAhead = 4096;
inline void prefetch_ahead(const int8_t* rows, size_t bytes) {
  // Integer arithmetic: the address may lie past the buffer, where a
  // prefetch is harmless but a pointer may not point.
  const uintptr_t at = reinterpret_cast<uintptr_t>(rows) + kPrefetchAhead;
  for (uintptr_t i = 0; i < bytes; i += 64) _mm_prefetch(reinterpret_cast<const char*>(at + i), _MM_HINT_T0);
}

inline __mmask64 tail_mask(size_t left) { return left >= 64 ? ~__mmask64(0) : (__mmask64(1) << left) - 1; }

// R rows at once: each query load feeds R independent accumulator chains.
template <int R>
inline void dot_rows(const int8_t* q, const int8_t* base, size_t dim, int32_t excess, int32_t* dots) {
  prefetch_ahead(base, R * dim);
  const __m512i flip = _mm512_set1_epi8(char(0x80));
  __m512i acc[R];
  for (int j = 0; j < R; ++j) acc[j] = _mm512_setzero_si512();
  for (size_t i = 0; i < dim; i += 64) {
    const __mmask64 m = tail_mask(dim - i);
    const __m512i qv = _mm512_maskz_loadu_epi8(m, q + i);
    for (int j = 0; j < R; ++j) {
      // Masked-off lanes: v = 128, q = 0, product 0.
      const __m512i v = _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, base + j * dim + i), flip);
      acc[j] = _mm512_dpbusd_epi32(acc[j], v, qv);
    }
  }
  for (int j = 0; j < R; ++j) dots[j] = _mm512_reduce_add_epi32(acc[j]) - excess;
}

void dot_i8_batch_avx512vnni(const int8_t* q, const int8_t* base, size_t dim, size_t n, int32_t* dots) {
  int32_t sum_q = 0;
  for (size_t i = 0; i < dim; ++i) sum_q += q[i];
  const int32_t excess = 128 * sum_q;
  size_t r = 0;
  for (; r + 4 <= n; r += 4) dot_rows<4>(q, base + r * dim, dim, excess, dots + r);
  for (; r < n; ++r) dot_rows<1>(q, base + r * dim, dim, excess, dots + r);
}

}  // namespace

// VNNI adds nothing for popcounts (VPOPCNTDQ is a separate extension that
// many VNNI CPUs lack), so this variant uses the AVX2 hamming kernel.
const Kernels kAvx512VnniKernels = {"avx512vnni", dot_i8_batch_avx512vnni, hamming_batch_avx2,
                                     dot_i8_block_avx512vnni};

}  // namespace clip
