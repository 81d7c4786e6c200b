// The two inner loops of the horizontal resample pass. Plain C++ that GCC and
// clang vectorise natively (pmaddwd), plus WebAssembly SIMD128 versions:
// LLVM does not form i32x4.dot_i16x8_s or byte shuffles by itself there.
// All integer arithmetic, so every version gives the same bits.
#pragma once
#include <cstddef>
#include <cstdint>

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

namespace clip::pillow {

// Interleaved RGB bytes -> three int16 planes of n samples.
inline void split_channels(const uint8_t* src, int n, int16_t* r, int16_t* g, int16_t* b) {
  int x = 0;
#if defined(__wasm_simd128__)
  for (; x + 16 <= n; x += 16, src += 48) {
    const v128_t s0 = wasm_v128_load(src), s1 = wasm_v128_load(src + 16), s2 = wasm_v128_load(src + 32);
    // Gather every third byte: 11 (or 10) from the first two vectors, the rest from the third.
    const v128_t r01 = wasm_i8x16_shuffle(s0, s1, 0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 0, 0, 0, 0, 0);
    const v128_t g01 = wasm_i8x16_shuffle(s0, s1, 1, 4, 7, 10, 13, 16, 19, 22, 25, 28, 31, 0, 0, 0, 0, 0);
    const v128_t b01 = wasm_i8x16_shuffle(s0, s1, 2, 5, 8, 11, 14, 17, 20, 23, 26, 29, 0, 0, 0, 0, 0, 0);
    const v128_t rv = wasm_i8x16_shuffle(r01, s2, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 17, 20, 23, 26, 29);
    const v128_t gv = wasm_i8x16_shuffle(g01, s2, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 18, 21, 24, 27, 30);
    const v128_t bv = wasm_i8x16_shuffle(b01, s2, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 19, 22, 25, 28, 31);
    wasm_v128_store(r + x, wasm_u16x8_extend_low_u8x16(rv));
    wasm_v128_store(r + x + 8, wasm_u16x8_extend_high_u8x16(rv));
    wasm_v128_store(g + x, wasm_u16x8_extend_low_u8x16(gv));
    wasm_v128_store(g + x + 8, wasm_u16x8_extend_high_u8x16(gv));
    wasm_v128_store(b + x, wasm_u16x8_extend_low_u8x16(bv));
    wasm_v128_store(b + x + 8, wasm_u16x8_extend_high_u8x16(bv));
  }
#endif
  for (; x < n; ++x, src += 3) {
    r[x] = src[0];
    g[x] = src[1];
    b[x] = src[2];
  }
}

// Sum of v[k] * (hi[k] * 2^11 + lo[k]) over k < kpad (a multiple of 8), for
// the three planes v, v + pitch, v + 2 * pitch.
inline void dot3_split(const int16_t* v, size_t pitch, const int16_t* hi, const int16_t* lo,
                       int kpad, int32_t sums[3]) {
#if defined(__wasm_simd128__)
  for (int c = 0; c < 3; ++c, v += pitch) {
    v128_t h = wasm_i32x4_splat(0), l = wasm_i32x4_splat(0);
    for (int k = 0; k < kpad; k += 8) {
      const v128_t x = wasm_v128_load(v + k);
      h = wasm_i32x4_add(h, wasm_i32x4_dot_i16x8(x, wasm_v128_load(hi + k)));
      l = wasm_i32x4_add(l, wasm_i32x4_dot_i16x8(x, wasm_v128_load(lo + k)));
    }
    // Per lane this is a partial sum of v * w, which fits in int32.
    const v128_t s = wasm_i32x4_add(wasm_i32x4_shl(h, 11), l);
    sums[c] = wasm_i32x4_extract_lane(s, 0) + wasm_i32x4_extract_lane(s, 1) +
              wasm_i32x4_extract_lane(s, 2) + wasm_i32x4_extract_lane(s, 3);
  }
#else
  const int16_t* v1 = v + pitch;
  const int16_t* v2 = v1 + pitch;
  int32_t h0 = 0, l0 = 0, h1 = 0, l1 = 0, h2 = 0, l2 = 0;
  for (int k = 0; k < kpad; ++k) {
    h0 += v[k] * hi[k];
    l0 += v[k] * lo[k];
    h1 += v1[k] * hi[k];
    l1 += v1[k] * lo[k];
    h2 += v2[k] * hi[k];
    l2 += v2[k] * lo[k];
  }
  sums[0] = h0 * 2048 + l0;
  sums[1] = h1 * 2048 + l1;
  sums[2] = h2 * 2048 + l2;
#endif
}

}  // namespace clip::pillow
