// SIMD kernels behind one dispatch point. Every variant returns identical
// integer results; the best one the CPU supports is picked once at run time.
#pragma once
#include <cstddef>
#include <cstdint>

namespace clip {

// Symmetric per-vector int8 quantization: q = round(x / scale), scale = max|x| / 127.
float quantize_int8(const float* x, size_t dim, int8_t* out);
// Sign bits, bit i of byte j = (x[8j+i] > 0).
void binarize(const float* x, size_t dim, uint8_t* out);

struct Kernels {
  const char* name;  // "scalar", "avx2", "avx512vnni", "wasm_simd128"
  // dots[i] = <q, base + i*dim> for n consecutive vectors.
  void (*dot_i8_batch)(const int8_t* q, const int8_t* base, size_t dim, size_t n, int32_t* dots);
  // hamming[i] = popcount(q ^ codes_i), bytes = dim / 8.
  void (*hamming_batch)(const uint8_t* q, const uint8_t* codes, size_t bytes, size_t n, uint32_t* out);
};

const Kernels& best_kernels();
// All variants this CPU can run (for tests and benchmarks).
size_t available_kernels(const Kernels** out, size_t max);

}  // namespace clip
