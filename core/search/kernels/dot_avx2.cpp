// AVX2 kernels. The int8 dot widens to int16 and uses vpmaddwd, which is exact
// for every int8 input (vpmaddubsw would need an unsigned operand and can
// saturate). The query is widened once per panel and reused for every row.
// Only intrinsics and local code here: an inline function shared with other
// files could be merged by the linker into its AVX2 copy.
#include <immintrin.h>

#include <cstdint>

#include "core/search/kernels.h"

namespace clip {
namespace {

constexpr size_t kPanel = 1024;  // query elements widened at a time (2 KiB)

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

inline int32_t hsum_epi32(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm_cvtsi128_si32(s);
}

inline __m256i madd_16(const int16_t* q16, const int8_t* v) {
  return _mm256_madd_epi16(_mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(v))),
                           _mm256_load_si256(reinterpret_cast<const __m256i*>(q16)));
}

// dots[j] += <q16, rows j * stride> over len elements (a multiple of 8), for
// R rows at once: each widened query load feeds R accumulator chains.
template <int R>
inline void dot_panel(const int16_t* q16, const int8_t* v, size_t stride, size_t len, int32_t* dots) {
  for (int j = 0; j < R; ++j) prefetch_ahead(v + j * stride, len);
  __m256i acc[R];
  for (int j = 0; j < R; ++j) acc[j] = _mm256_setzero_si256();
  size_t i = 0;
  for (; i + 16 <= len; i += 16)
    for (int j = 0; j < R; ++j) acc[j] = _mm256_add_epi32(acc[j], madd_16(q16 + i, v + j * stride + i));
  const bool eight_left = i < len;  // len is a multiple of 8
  const __m128i q8 = eight_left ? _mm_load_si128(reinterpret_cast<const __m128i*>(q16 + i)) : _mm_setzero_si128();
  for (int j = 0; j < R; ++j) {
    __m128i tail = _mm_setzero_si128();
    if (eight_left)
      tail = _mm_madd_epi16(_mm_cvtepi8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(v + j * stride + i))), q8);
    dots[j] += hsum_epi32(_mm256_add_epi32(acc[j], _mm256_zextsi128_si256(tail)));
  }
}

void dot_i8_batch_avx2(const int8_t* q, const int8_t* base, size_t dim, size_t n, int32_t* dots) {
  alignas(32) int16_t q16[kPanel];
  for (size_t r = 0; r < n; ++r) dots[r] = 0;
  for (size_t p = 0; p < dim; p += kPanel) {
    const size_t len = dim - p < kPanel ? dim - p : kPanel;
    for (size_t i = 0; i < len; i += 16) {
      if (len - i >= 16) {
        __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q + p + i));
        _mm256_store_si256(reinterpret_cast<__m256i*>(q16 + i), _mm256_cvtepi8_epi16(b));
      } else {  // 8 left (len is a multiple of 8): a 16-byte load would overrun
        _mm_store_si128(reinterpret_cast<__m128i*>(q16 + i),
                        _mm_cvtepi8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(q + p + i))));
      }
    }
    size_t r = 0;
    for (; r + 4 <= n; r += 4) dot_panel<4>(q16, base + r * dim + p, dim, len, dots + r);
    for (; r < n; ++r) dot_panel<1>(q16, base + r * dim + p, dim, len, dots + r);
  }
}

}  // namespace

void hamming_batch_avx2(const uint8_t* q, const uint8_t* codes, size_t bytes, size_t n, uint32_t* out) {
  // Nibble popcount table for vpshufb, per 128-bit lane.
  const __m256i lut = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,
                                       0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
  const __m256i low = _mm256_set1_epi8(0x0F);
  for (size_t r = 0; r < n; ++r, codes += bytes) {
    __m256i acc = _mm256_setzero_si256();
    size_t i = 0;
    for (; i + 32 <= bytes; i += 32) {
      __m256i x = _mm256_xor_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(q + i)),
                                   _mm256_loadu_si256(reinterpret_cast<const __m256i*>(codes + i)));
      __m256i c = _mm256_add_epi8(_mm256_shuffle_epi8(lut, _mm256_and_si256(x, low)),
                                  _mm256_shuffle_epi8(lut, _mm256_and_si256(_mm256_srli_epi16(x, 4), low)));
      acc = _mm256_add_epi64(acc, _mm256_sad_epu8(c, _mm256_setzero_si256()));
    }
    __m128i s = _mm_add_epi64(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
    uint64_t d = uint64_t(_mm_cvtsi128_si64(s)) + uint64_t(_mm_extract_epi64(s, 1));
    for (; i + 8 <= bytes; i += 8) {
      uint64_t a, b;
      __builtin_memcpy(&a, q + i, 8);
      __builtin_memcpy(&b, codes + i, 8);
      d += uint64_t(_mm_popcnt_u64(a ^ b));
    }
    for (; i < bytes; ++i) d += uint64_t(_mm_popcnt_u32(unsigned(q[i] ^ codes[i])));
    out[r] = uint32_t(d);
  }
}

const Kernels kAvx2Kernels = {"avx2", dot_i8_batch_avx2, hamming_batch_avx2, dot_i8_block_avx2};

}  // namespace clip
