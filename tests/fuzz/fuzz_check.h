// What the fuzz targets share: an always-on check (the targets are built in
// Release, where assert() is compiled out) and a small cursor for taking
// parameters from the front of an input.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

// A broken invariant is a finding: print it and abort, so libFuzzer saves the input.
#define FUZZ_CHECK(cond, ...)                                          \
  do {                                                                 \
    if (!(cond)) {                                                     \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK(%s) failed: ", __FILE__, \
                   __LINE__, #cond);                                   \
      std::fprintf(stderr, __VA_ARGS__);                               \
      std::fputc('\n', stderr);                                        \
      std::abort();                                                    \
    }                                                                  \
  } while (0)

namespace fuzz {

// A whole file of the source tree the target needs (a vocabulary), or abort.
inline std::string read_source_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  FUZZ_CHECK(f.good(), "cannot open %s", path.c_str());
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Takes bytes off the front of the input; past the end it yields zeros, so
// every input, even an empty one, gives some parameters.
class Bytes {
 public:
  Bytes(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  uint8_t u8() { return pos_ < size_ ? data_[pos_++] : 0; }
  uint16_t u16() { return uint16_t(u8() | u8() << 8); }
  uint32_t u32() { return uint32_t(u16()) | uint32_t(u16()) << 16; }
  // Up to n bytes (fewer at the end).
  std::string_view take(size_t n) {
    if (n > size_ - pos_) n = size_ - pos_;
    std::string_view s(reinterpret_cast<const char*>(data_ + pos_), n);
    pos_ += n;
    return s;
  }
  std::string_view rest() { return take(size_ - pos_); }
  size_t remaining() const { return size_ - pos_; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

}  // namespace fuzz
