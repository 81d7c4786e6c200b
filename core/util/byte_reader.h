// Bounds-checked little-endian cursor over untrusted bytes. Every read says
// whether it fitted; nothing reads past the end, so callers can turn a short
// read into an error message naming the offset.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "core/util/bytes.h"

namespace clip {

inline uint32_t load_le32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}
inline uint64_t load_le64(const uint8_t* p) { return load_le32(p) | uint64_t(load_le32(p + 4)) << 32; }
inline float load_le_f32(const uint8_t* p) {
  uint32_t u = load_le32(p);
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

class ByteReader {
 public:
  // `base` is the absolute file offset of bytes.data, for error messages.
  explicit ByteReader(ByteView bytes, uint64_t base = 0) : bytes_(bytes), base_(base) {}

  uint64_t offset() const { return base_ + pos_; }  // absolute offset of the next read
  size_t remaining() const { return bytes_.size - pos_; }
  bool at_end() const { return pos_ == bytes_.size; }

  bool u32(uint32_t* out) { return fixed(4) && (*out = load_le32(bytes_.data + pos_ - 4), true); }
  bool u64(uint64_t* out) { return fixed(8) && (*out = load_le64(bytes_.data + pos_ - 8), true); }
  // Points *out at the next n bytes (no copy) and steps over them.
  bool bytes(uint64_t n, const uint8_t** out) {
    if (n > remaining()) return false;
    *out = bytes_.data + pos_;
    pos_ += size_t(n);
    return true;
  }

 private:
  bool fixed(size_t n) {
    if (n > remaining()) return false;
    pos_ += n;
    return true;
  }

  ByteView bytes_;
  uint64_t base_ = 0;
  size_t pos_ = 0;
};

}  // namespace clip
