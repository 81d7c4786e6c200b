// A non-owning view of bytes (C++17 has no std::span).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace clip {

struct ByteView {
  const uint8_t* data = nullptr;
  size_t size = 0;

  ByteView() = default;
  ByteView(const uint8_t* d, size_t n) : data(d), size(n) {}
  ByteView(const std::vector<uint8_t>& v) : data(v.data()), size(v.size()) {}
  explicit ByteView(std::string_view s)
      : data(reinterpret_cast<const uint8_t*>(s.data())), size(s.size()) {}

  std::string_view as_string() const { return {reinterpret_cast<const char*>(data), size}; }
};

}  // namespace clip
