// The search kernels checked inside one build: every variant this build
// runs against the scalar reference, on seeded random bytes and the
// extremes, for the single-query, Hamming and block kernels. Built natively
// and with Emscripten; tests/wasm/kernels.test.mjs runs the wasm build
// under node (where the variant is wasm_simd128) and compares its digest of
// all results with the native build's: the same integers on every ISA.
//   kernel_check   -> "kernels: scalar wasm_simd128", "digest: <hex>", "N passed, M failed"
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

#include "core/search/kernels.h"

namespace {

struct Tally {
  size_t passed = 0, failed = 0;
  uint64_t digest = 1469598103934665603ull;  // FNV-1a over every reference result
  void mix(const void* data, size_t bytes) {
    const auto* p = static_cast<const uint8_t*>(data);
    for (size_t i = 0; i < bytes; ++i) digest = (digest ^ p[i]) * 1099511628211ull;
  }
  void check(bool ok, const char* kernel, const char* what, size_t dim, size_t nq, size_t n) {
    if (ok) {
      ++passed;
      return;
    }
    ++failed;
    std::printf("MISMATCH %s %s dim %zu queries %zu rows %zu\n", kernel, what, dim, nq, n);
  }
};

}  // namespace

int main() {
  using namespace clip;
  const Kernels* list[8];
  const size_t count = available_kernels(list, 8);
  std::printf("kernels:");
  for (size_t i = 0; i < count; ++i) std::printf(" %s", list[i]->name);
  std::printf("\n");

  std::mt19937 rng(20260101);
  Tally t;
  // 4096: 32 chunks of sign bits, past the 31 that wasm sums as bytes.
  for (size_t dim : {8, 24, 64, 72, 128, 136, 512, 520, 768, 1000, 4096}) {
    for (size_t nq : {1, 3, 4, 5, 16, 17}) {
      for (size_t n : {1, 2, 3, 7, 33}) {
        std::vector<int8_t> queries(nq * dim), rows(n * dim);
        for (auto& x : queries) x = int8_t(rng());
        for (auto& x : rows) x = int8_t(rng());
        std::fill(queries.begin(), queries.begin() + long(dim), int8_t(-128));
        std::fill(rows.begin(), rows.begin() + long(dim), int8_t(-128));
        std::vector<int32_t> want(nq * n);
        for (size_t i = 0; i < nq; ++i)
          kScalarKernels.dot_i8_batch(queries.data() + i * dim, rows.data(), dim, n, want.data() + i * n);
        t.mix(want.data(), want.size() * sizeof(int32_t));
        std::vector<uint8_t> qbits(dim / 8), codes(n * dim / 8);
        for (auto& x : qbits) x = uint8_t(rng());
        for (auto& x : codes) x = uint8_t(rng());
        std::vector<uint32_t> hwant(n);
        kScalarKernels.hamming_batch(qbits.data(), codes.data(), dim / 8, n, hwant.data());
        t.mix(hwant.data(), hwant.size() * sizeof(uint32_t));
        for (size_t k = 0; k < count; ++k) {
          const Kernels& kern = *list[k];
          std::vector<int32_t> block(nq * n, -1), single(n, -1);
          kern.dot_i8_block(queries.data(), nq, rows.data(), n, dim, block.data());
          t.check(block == want, kern.name, "dot_i8_block", dim, nq, n);
          kern.dot_i8_batch(queries.data(), rows.data(), dim, n, single.data());
          t.check(std::equal(single.begin(), single.end(), want.begin()), kern.name, "dot_i8_batch", dim, nq, n);
          std::vector<uint32_t> hgot(n, 12345);
          kern.hamming_batch(qbits.data(), codes.data(), dim / 8, n, hgot.data());
          t.check(hgot == hwant, kern.name, "hamming_batch", dim, nq, n);
        }
      }
    }
  }
  std::printf("digest: %016llx\n", static_cast<unsigned long long>(t.digest));
  std::printf("%zu passed, %zu failed\n", t.passed, t.failed);
  return t.failed == 0 ? 0 : 1;
}
