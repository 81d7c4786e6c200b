// The one place that decides which kernels run. Natively: the best variant
// this CPU and OS support, asked once. In wasm SIMD128 is a compile-time
// baseline (the module is built with -msimd128), so there is nothing to ask.
#include "core/search/kernels.h"

#if defined(CLIPSEARCH_X86)
#include <cpuid.h>
#endif

namespace clip {
namespace {

#if defined(CLIPSEARCH_X86)
// Extended register state the OS saves on context switch (XCR0). A CPU can
// report AVX-512 while the OS does not enable the zmm/opmask state.
uint64_t os_enabled_state() {
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & bit_OSXSAVE)) return 0;
  unsigned lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return uint64_t(hi) << 32 | lo;
}

bool has_avx2() {
  const uint64_t ymm = 0x6;  // SSE + AVX state
  return (os_enabled_state() & ymm) == ymm && __builtin_cpu_supports("avx2") &&
         __builtin_cpu_supports("fma") && __builtin_cpu_supports("popcnt");
}

bool has_avx512vnni() {
  const uint64_t zmm = 0xE6;  // SSE + AVX + opmask + upper zmm0-15 + zmm16-31
  return has_avx2() && (os_enabled_state() & zmm) == zmm && __builtin_cpu_supports("avx512f") &&
         __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
         __builtin_cpu_supports("avx512vnni");
}
#endif

struct Registry {
  const Kernels* list[4] = {};
  size_t count = 0;
};

Registry detect() {
  Registry r;
  r.list[r.count++] = &kScalarKernels;
#if defined(CLIPSEARCH_X86)
  if (has_avx2()) r.list[r.count++] = &kAvx2Kernels;
  if (has_avx512vnni()) r.list[r.count++] = &kAvx512VnniKernels;
#endif
#if defined(__wasm_simd128__)
  r.list[r.count++] = &kWasmSimd128Kernels;
#endif
  return r;
}

const Registry& registry() {
  static const Registry r = detect();
  return r;
}

}  // namespace

const Kernels& best_kernels() {
  const Registry& r = registry();
  return *r.list[r.count - 1];  // detect() appends in order of preference
}

size_t available_kernels(const Kernels** out, size_t max) {
  const Registry& r = registry();
  size_t n = r.count < max ? r.count : max;
  for (size_t i = 0; i < n; ++i) out[i] = r.list[i];
  return n;
}

}  // namespace clip
