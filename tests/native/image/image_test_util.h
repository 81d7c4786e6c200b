// Helpers shared by the image tests: test data paths, file bytes, and the
// per-pixel difference statistics the golden comparisons report.
#pragma once
#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/image/preprocess.h"

namespace clip::test {

// A parameterised case's name from its image's file name ("sk_chelsea_png"):
// gtest allows only letters, digits and underscores.
inline std::string case_name_from_path(const std::string& path) {
  std::string s = path.substr(path.rfind('/') + 1);
  for (char& ch : s)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return s;
}

inline std::string image_data(const std::string& rel) {
  return std::string(CLIPSEARCH_TEST_DATA) + "/image/" + rel;
}

inline std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  EXPECT_TRUE(f.good()) << "cannot open " << path;
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}

// Decodes a test-data image that must decode (expected PNGs, fixtures).
inline RgbImage load_rgb(const std::string& rel) {
  Result<RgbImage> r = decode_image(read_bytes(image_data(rel)));
  EXPECT_TRUE(r.ok()) << rel << ": " << (r.ok() ? "" : r.message());
  return r.ok() ? std::move(r).value() : RgbImage{};
}

// A deterministic noise picture (a linear congruential generator seeded by
// `seed`): every pixel differs, so a resampling slip shows.
inline RgbImage patterned(int w, int h, uint32_t seed = 12345) {
  RgbImage im{w, h, std::vector<uint8_t>(size_t(w) * size_t(h) * 3)};
  uint32_t s = seed;
  for (uint8_t& v : im.pixels) {
    s = s * 1103515245u + 12345u;
    v = uint8_t(s >> 23);
  }
  return im;
}

struct PixelDiff {
  int max = 0;
  double mean = 0;
};

inline PixelDiff pixel_diff(const RgbImage& a, const RgbImage& b) {
  PixelDiff d;
  EXPECT_EQ(a.width, b.width);
  EXPECT_EQ(a.height, b.height);
  if (a.pixels.size() != b.pixels.size() || a.pixels.empty()) return {256, 256};
  uint64_t sum = 0;
  for (size_t i = 0; i < a.pixels.size(); ++i) {
    const int e = std::abs(int(a.pixels[i]) - int(b.pixels[i]));
    sum += uint64_t(e);
    if (e > d.max) d.max = e;
  }
  d.mean = double(sum) / double(a.pixels.size());
  return d;
}

}  // namespace clip::test
