#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace clip {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t size);
  std::array<uint8_t, 32> finish();

 private:
  void block(const uint8_t* p);
  uint32_t h_[8];
  uint8_t buf_[64];
  uint64_t total_ = 0;
  size_t used_ = 0;
};

std::array<uint8_t, 32> sha256(const void* data, size_t size);
std::string to_hex(const uint8_t* data, size_t size);
template <size_t N>
std::string to_hex(const std::array<uint8_t, N>& a) { return to_hex(a.data(), N); }
// The inverse for a digest: exactly 64 hex digits (either case), else false.
bool sha256_from_hex(std::string_view hex, std::array<uint8_t, 32>* out);

}  // namespace clip
