// SIMD kernels behind one dispatch point. Every variant returns identical
// integer results; the best one the CPU supports is picked once at run time.
#pragma once
#include <cstddef>
#include <cstdint>

namespace clip {

// Scales x to unit length in place and returns its former L2 norm; a zero
// vector is left as is. Sequential double sum: bit-identical native and wasm.
float l2_normalize(float* x, size_t dim);
// Symmetric per-vector int8 quantization: q = round(x / scale), scale = max|x| / 127.
// Codes lie in [-127, 127]; an all-zero x gives scale 0. x must be finite.
float quantize_int8(const float* x, size_t dim, int8_t* out);
// Cosine of two float vectors, summed in double; 0 when either is zero.
double cosine(const float* a, const float* b, size_t dim);
// Sign bits, bit i of byte j = (x[8j+i] > 0). dim must be a multiple of 8.
void binarize(const float* x, size_t dim, uint8_t* out);

struct Kernels {
  const char* name;  // "scalar", "avx2", "avx512vnni", "wasm_simd128"
  // dots[i] = <q, base + i*dim> for n consecutive vectors; exact int32 for
  // any int8 input. dim must be a multiple of 8.
  void (*dot_i8_batch)(const int8_t* q, const int8_t* base, size_t dim, size_t n, int32_t* dots);
  // hamming[i] = popcount(q ^ codes_i), bytes = dim / 8.
  void (*hamming_batch)(const uint8_t* q, const uint8_t* codes, size_t bytes, size_t n, uint32_t* out);
  // A block of queries against a block of rows (both contiguous, dim apart):
  // out[i * n + r] = <query i, row r>, exact int32 for any int8 input. Each
  // row is read from memory once for all queries and its products are
  // computed in registers, so a batch costs little more memory traffic
  // than one query. dim must be a multiple of 8.
  void (*dot_i8_block)(const int8_t* queries, size_t nq, const int8_t* rows, size_t n, size_t dim, int32_t* out);
};

const Kernels& best_kernels();
// All variants this CPU can run, scalar first (for tests and benchmarks).
size_t available_kernels(const Kernels** out, size_t max);

// The variants, for dispatch.cpp; each exists only where it was compiled.
// The block kernels live in block_<isa>.cpp beside the dot_<isa>.cpp that
// lists them.
extern const Kernels kScalarKernels;
void dot_i8_block_scalar(const int8_t* queries, size_t nq, const int8_t* rows, size_t n, size_t dim, int32_t* out);
#if defined(CLIPSEARCH_X86)
extern const Kernels kAvx2Kernels;
extern const Kernels kAvx512VnniKernels;
void hamming_batch_avx2(const uint8_t* q, const uint8_t* codes, size_t bytes, size_t n, uint32_t* out);
void dot_i8_block_avx2(const int8_t* queries, size_t nq, const int8_t* rows, size_t n, size_t dim, int32_t* out);
void dot_i8_block_avx512vnni(const int8_t* queries, size_t nq, const int8_t* rows, size_t n, size_t dim,
                             int32_t* out);
#endif
#if defined(__wasm_simd128__)
extern const Kernels kWasmSimd128Kernels;
void dot_i8_block_wasm(const int8_t* queries, size_t nq, const int8_t* rows, size_t n, size_t dim, int32_t* out);
#endif

}  // namespace clip
