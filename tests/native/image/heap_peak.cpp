// Replaces the global operator new/delete of the test binary with counting
// versions: each block carries its size in a 16-byte header.
#include "heap_peak.h"

#include <atomic>
#include <cstdlib>
#include <new>

namespace {

std::atomic<size_t> g_current{0}, g_baseline{0}, g_peak{0};
constexpr size_t kHeader = 16;  // keeps max_align_t alignment

void* counted_alloc(size_t n) {
  void* raw = std::malloc(n + kHeader);
  if (!raw) throw std::bad_alloc();
  *static_cast<size_t*>(raw) = n;
  const size_t now = g_current.fetch_add(n) + n;
  size_t peak = g_peak.load();
  while (now > peak && !g_peak.compare_exchange_weak(peak, now)) {
  }
  return static_cast<char*>(raw) + kHeader;
}

void counted_free(void* p) noexcept {
  if (!p) return;
  void* raw = static_cast<char*>(p) - kHeader;
  g_current.fetch_sub(*static_cast<size_t*>(raw));
  std::free(raw);
}

}  // namespace

void* operator new(size_t n) { return counted_alloc(n); }
void* operator new[](size_t n) { return counted_alloc(n); }
void operator delete(void* p) noexcept { counted_free(p); }
void operator delete[](void* p) noexcept { counted_free(p); }
void operator delete(void* p, size_t) noexcept { counted_free(p); }
void operator delete[](void* p, size_t) noexcept { counted_free(p); }

namespace clip::test {

void heap_peak_reset() {
  g_baseline = g_current.load();
  g_peak = g_baseline.load();
}

size_t heap_peak_since_reset() { return g_peak.load() - g_baseline.load(); }

}  // namespace clip::test
