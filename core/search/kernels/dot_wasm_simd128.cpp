// WebAssembly SIMD128 kernels: baseline SIMD only (no relaxed-simd, which
// Emscripten 3.1.6 and older browsers lack). int8 is widened to int16 and
// multiplied with i32x4.dot_i16x8_s, exact for every int8 input.
#include <wasm_simd128.h>

#include "core/search/kernels.h"

namespace clip {
namespace {

inline int32_t hsum_i32x4(v128_t v) {
  return wasm_i32x4_extract_lane(v, 0) + wasm_i32x4_extract_lane(v, 1) + wasm_i32x4_extract_lane(v, 2) +
         wasm_i32x4_extract_lane(v, 3);
}

void dot_i8_batch_wasm(const int8_t* q, const int8_t* base, size_t dim, size_t n, int32_t* dots) {
  for (size_t r = 0; r < n; ++r, base += dim) {
    v128_t acc0 = wasm_i32x4_splat(0), acc1 = wasm_i32x4_splat(0);
    size_t i = 0;
    for (; i + 16 <= dim; i += 16) {
      v128_t a = wasm_v128_load(q + i), b = wasm_v128_load(base + i);
      acc0 = wasm_i32x4_add(acc0, wasm_i32x4_dot_i16x8(wasm_i16x8_extend_low_i8x16(a), wasm_i16x8_extend_low_i8x16(b)));
      acc1 = wasm_i32x4_add(acc1, wasm_i32x4_dot_i16x8(wasm_i16x8_extend_high_i8x16(a), wasm_i16x8_extend_high_i8x16(b)));
    }
    if (i < dim) {  // 8 left: dim is a multiple of 8
      v128_t a = wasm_v128_load64_zero(q + i), b = wasm_v128_load64_zero(base + i);
      acc0 = wasm_i32x4_add(acc0, wasm_i32x4_dot_i16x8(wasm_i16x8_extend_low_i8x16(a), wasm_i16x8_extend_low_i8x16(b)));
    }
    dots[r] = hsum_i32x4(wasm_i32x4_add(acc0, acc1));
  }
}

void hamming_batch_wasm(const uint8_t* q, const uint8_t* codes, size_t bytes, size_t n, uint32_t* out) {
  for (size_t r = 0; r < n; ++r, codes += bytes) {
    v128_t acc = wasm_i32x4_splat(0);
    size_t i = 0;
    for (; i + 16 <= bytes; i += 16) {
      v128_t c = wasm_i8x16_popcnt(wasm_v128_xor(wasm_v128_load(q + i), wasm_v128_load(codes + i)));
      acc = wasm_i32x4_add(acc, wasm_u32x4_extadd_pairwise_u16x8(wasm_u16x8_extadd_pairwise_u8x16(c)));
    }
    if (i + 8 <= bytes) {
      v128_t c = wasm_i8x16_popcnt(wasm_v128_xor(wasm_v128_load64_zero(q + i), wasm_v128_load64_zero(codes + i)));
      acc = wasm_i32x4_add(acc, wasm_u32x4_extadd_pairwise_u16x8(wasm_u16x8_extadd_pairwise_u8x16(c)));
      i += 8;
    }
    uint32_t d = uint32_t(hsum_i32x4(acc));
    for (; i < bytes; ++i) d += uint32_t(__builtin_popcount(unsigned(q[i] ^ codes[i])));
    out[r] = d;
  }
}

}  // namespace

const Kernels kWasmSimd128Kernels = {"wasm_simd128", dot_i8_batch_wasm, hamming_batch_wasm};

}  // namespace clip
