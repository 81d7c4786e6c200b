// Little-endian appender for building binary files in memory.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

namespace clip {

inline void store_le32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = uint8_t(v >> (8 * i));
}
inline void store_le64(uint8_t* p, uint64_t v) {
  store_le32(p, uint32_t(v));
  store_le32(p + 4, uint32_t(v >> 32));
}

class ByteWriter {
 public:
  size_t size() const { return out_.size(); }
  uint8_t* at(size_t offset) { return out_.data() + offset; }

  void u32(uint32_t v) { store_le32(grow(4), v); }
  void u64(uint64_t v) { store_le64(grow(8), v); }
  void f32(float v) {
    uint32_t u;
    std::memcpy(&u, &v, 4);
    u32(u);
  }
  void bytes(const void* p, size_t n) {
    if (n > 0) std::memcpy(grow(n), p, n);
  }
  void zeros(size_t n) { out_.resize(out_.size() + n, 0); }
  void pad_to(size_t alignment) { zeros((alignment - out_.size() % alignment) % alignment); }

  std::vector<uint8_t> take() { return std::move(out_); }

 private:
  uint8_t* grow(size_t n) {
    out_.resize(out_.size() + n);
    return out_.data() + out_.size() - n;
  }
  std::vector<uint8_t> out_;
};

}  // namespace clip
