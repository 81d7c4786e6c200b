// Random numbers for the synthetic dataset. Every image draws from its own
// SplitMix64 stream keyed by (seed, index, stream), so image i is the same
// whatever was generated before it, and a picture's caption can be redrawn
// without touching its pixels.
#pragma once
#include <cstddef>
#include <cstdint>

namespace clip::demo {

// SplitMix64's finaliser: a fixed, portable 64-bit mix.
inline uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

class DemoRng {
 public:
  DemoRng(uint64_t seed, uint64_t index, uint64_t stream)
      : state_(mix64(mix64(seed ^ 0x6a09e667f3bcc909ull) ^ mix64(index + 0x9e3779b97f4a7c15ull) ^
                     mix64(stream + 0x3c6ef372fe94f82bull))) {}

  uint64_t next() { return mix64(state_ += 0x9e3779b97f4a7c15ull); }

  // Uniform in [0, n), by multiply-shift (bias below 2^-32, irrelevant here).
  uint32_t below(uint32_t n) { return static_cast<uint32_t>(((next() >> 32) * n) >> 32); }

  // Uniform in [lo, hi], inclusive.
  int range(int lo, int hi) { return lo + static_cast<int>(below(static_cast<uint32_t>(hi - lo + 1))); }

  // Index into a table of integer weights.
  template <class T, size_t N>
  size_t weighted(const T (&weights)[N]) {
    uint32_t total = 0;
    for (T w : weights) total += w;
    uint32_t r = below(total);
    for (size_t i = 0; i < N; ++i) {
      if (r < static_cast<uint32_t>(weights[i])) return i;
      r -= weights[i];
    }
    return N - 1;
  }

 private:
  uint64_t state_;
};

}  // namespace clip::demo
