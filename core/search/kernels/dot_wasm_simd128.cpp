// WebAssembly SIMD128 kernels: baseline SIMD only (no relaxed-simd, which
// Emscripten 3.1.6 and older browsers lack). int8 is widened to int16 and
// multiplied with i32x4.dot_i16x8_s, exact for every int8 input. The query is
// widened once per panel and each row as it is loaded (v128.load8x8_s, one
// instruction in V8), with four sums in flight: a quarter faster in V8 than
// widening both sides of every product.
#include <wasm_simd128.h>

#include "core/search/kernels.h"

namespace clip {
namespace {

inline int32_t hsum_i32x4(v128_t v) {
  return wasm_i32x4_extract_lane(v, 0) + wasm_i32x4_extract_lane(v, 1) + wasm_i32x4_extract_lane(v, 2) +
         wasm_i32x4_extract_lane(v, 3);
}

constexpr size_t kPanel = 1024;  // query elements widened at a time (2 KiB)

void dot_i8_batch_wasm(const int8_t* q, const int8_t* base, size_t dim, size_t n, int32_t* dots) {
  alignas(16) int16_t q16[kPanel];
  for (size_t r = 0; r < n; ++r) dots[r] = 0;
  for (size_t p = 0; p < dim; p += kPanel) {
    const size_t len = dim - p < kPanel ? dim - p : kPanel;
    for (size_t i = 0; i < len; ++i) q16[i] = q[p + i];
    const int8_t* row = base + p;
    for (size_t r = 0; r < n; ++r, row += dim) {
      v128_t acc0 = wasm_i32x4_splat(0), acc1 = acc0, acc2 = acc0, acc3 = acc0;
      size_t i = 0;
      for (; i + 32 <= len; i += 32) {
        acc0 = wasm_i32x4_add(acc0, wasm_i32x4_dot_i16x8(wasm_v128_load(q16 + i), wasm_i16x8_load8x8(row + i)));
        acc1 = wasm_i32x4_add(acc1, wasm_i32x4_dot_i16x8(wasm_v128_load(q16 + i + 8), wasm_i16x8_load8x8(row + i + 8)));
        acc2 = wasm_i32x4_add(acc2, wasm_i32x4_dot_i16x8(wasm_v128_load(q16 + i + 16), wasm_i16x8_load8x8(row + i + 16)));
        acc3 = wasm_i32x4_add(acc3, wasm_i32x4_dot_i16x8(wasm_v128_load(q16 + i + 24), wasm_i16x8_load8x8(row + i + 24)));
      }
      for (; i < len; i += 8)  // len is a multiple of 8
        acc0 = wasm_i32x4_add(acc0, wasm_i32x4_dot_i16x8(wasm_v128_load(q16 + i), wasm_i16x8_load8x8(row + i)));
      dots[r] += hsum_i32x4(wasm_i32x4_add(wasm_i32x4_add(acc0, acc1), wasm_i32x4_add(acc2, acc3)));
    }
  }
}

// Hamming distance in 16-byte chunks. A chunk's popcounts are at most 8 per
// byte lane, so up to 31 chunks add up as bytes before one widening per row
// (popcnt is a table lookup in V8 on x86; the widening adds were half the
// work); four rows then share one horizontal sum.
constexpr size_t kChunksPerByteSum = 31;  // 31 * 8 = 248 <= 255

inline v128_t chunk_popcounts(const uint8_t* q, const uint8_t* code, size_t chunks) {
  v128_t acc32 = wasm_i32x4_splat(0);
  for (size_t c = 0; c < chunks;) {
    const size_t stop = chunks - c < kChunksPerByteSum ? chunks : c + kChunksPerByteSum;
    v128_t acc8 = wasm_i8x16_splat(0);
    for (; c < stop; ++c)
      acc8 = wasm_i8x16_add(acc8, wasm_i8x16_popcnt(wasm_v128_xor(wasm_v128_load(q + 16 * c), wasm_v128_load(code + 16 * c))));
    acc32 = wasm_i32x4_add(acc32, wasm_u32x4_extadd_pairwise_u16x8(wasm_u16x8_extadd_pairwise_u8x16(acc8)));
  }
  return acc32;  // four partial sums
}

inline uint32_t tail_popcount(const uint8_t* q, const uint8_t* code, size_t from, size_t bytes) {
  uint32_t d = 0;
  for (size_t i = from; i < bytes; ++i) d += uint32_t(__builtin_popcount(unsigned(q[i] ^ code[i])));
  return d;
}

void hamming_batch_wasm(const uint8_t* q, const uint8_t* codes, size_t bytes, size_t n, uint32_t* out) {
  const size_t chunks = bytes / 16;
  size_t r = 0;
  for (; r + 4 <= n; r += 4) {
    const uint8_t* c = codes + r * bytes;
    const v128_t a = chunk_popcounts(q, c, chunks), b = chunk_popcounts(q, c + bytes, chunks);
    const v128_t e = chunk_popcounts(q, c + 2 * bytes, chunks), f = chunk_popcounts(q, c + 3 * bytes, chunks);
    // [a0+a2, b0+b2, a1+a3, b1+b3] and the same for e, f; then across.
    const v128_t ab = wasm_i32x4_add(wasm_i32x4_shuffle(a, b, 0, 4, 1, 5), wasm_i32x4_shuffle(a, b, 2, 6, 3, 7));
    const v128_t ef = wasm_i32x4_add(wasm_i32x4_shuffle(e, f, 0, 4, 1, 5), wasm_i32x4_shuffle(e, f, 2, 6, 3, 7));
    v128_t sums = wasm_i32x4_add(wasm_i32x4_shuffle(ab, ef, 0, 1, 4, 5), wasm_i32x4_shuffle(ab, ef, 2, 3, 6, 7));
    if (bytes % 16) {
      const size_t from = chunks * 16;
      sums = wasm_i32x4_add(sums, wasm_u32x4_make(tail_popcount(q, c, from, bytes), tail_popcount(q, c + bytes, from, bytes),
                                                  tail_popcount(q, c + 2 * bytes, from, bytes),
                                                  tail_popcount(q, c + 3 * bytes, from, bytes)));
    }
    wasm_v128_store(out + r, sums);
  }
  for (; r < n; ++r) {
    const uint8_t* c = codes + r * bytes;
    out[r] = uint32_t(hsum_i32x4(chunk_popcounts(q, c, chunks))) + tail_popcount(q, c, chunks * 16, bytes);
  }
}

}  // namespace

const Kernels kWasmSimd128Kernels = {"wasm_simd128", dot_i8_batch_wasm, hamming_batch_wasm, dot_i8_block_wasm};

}  // namespace clip
