// .npy: headers as numpy writes them (64-byte aligned, version 1.0), files of
// every float width read back, hostile headers refused with what was wrong,
// and float16 conversions exact against their definition.
#include "core/util/npy.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

namespace clip {
namespace {

std::vector<uint8_t> file_with(const std::string& dict, size_t data_bytes, uint8_t major = 1) {
  std::vector<uint8_t> f = {0x93, 'N', 'U', 'M', 'P', 'Y', major, 0};
  if (major == 1) {
    f.push_back(uint8_t(dict.size()));
    f.push_back(uint8_t(dict.size() >> 8));
  } else {
    for (int i = 0; i < 4; ++i) f.push_back(uint8_t(dict.size() >> (8 * i)));
  }
  f.insert(f.end(), dict.begin(), dict.end());
  f.resize(f.size() + data_bytes, 0);
  return f;
}

TEST(Npy, HeaderIsWhatNumpyWrites) {
  const std::vector<uint8_t> h = npy_header(1000, 512, NpyType::F32);
  ASSERT_EQ(h.size() % 64, 0u);
  const std::string text(h.begin() + 10, h.end());
  EXPECT_EQ(text.substr(0, 66), "{'descr': '<f4', 'fortran_order': False, 'shape': (1000, 512), }  ");
  EXPECT_EQ(text.back(), '\n');
  std::vector<uint8_t> file = h;
  file.resize(h.size() + 1000 * 512 * 4);
  auto m = parse_npy(ByteView(file), "x.npy");
  ASSERT_TRUE(m) << m.message();
  EXPECT_EQ(m->rows, 1000u);
  EXPECT_EQ(m->cols, 512u);
  EXPECT_EQ(m->type, NpyType::F32);
  EXPECT_EQ(m->data_offset, h.size());
}

TEST(Npy, ReadsEveryFloatWidthAndVersion) {
  const float values[6] = {1.5f, -2.0f, 0.25f, 0.0f, -0.125f, 65504.0f};
  for (NpyType type : {NpyType::F16, NpyType::F32, NpyType::F64}) {
    std::vector<uint8_t> file = npy_header(2, 3, type);
    for (float v : values) {
      if (type == NpyType::F16) {
        const uint16_t h = float_to_half(v);
        file.push_back(uint8_t(h));
        file.push_back(uint8_t(h >> 8));
      } else if (type == NpyType::F32) {
        uint8_t b[4];
        std::memcpy(b, &v, 4);
        file.insert(file.end(), b, b + 4);
      } else {
        const double d = v;
        uint8_t b[8];
        std::memcpy(b, &d, 8);
        file.insert(file.end(), b, b + 8);
      }
    }
    auto m = parse_npy(ByteView(file), "x.npy");
    ASSERT_TRUE(m) << m.message();
    float row[3];
    npy_row(ByteView(file), *m, 1, row);
    EXPECT_EQ(row[0], 0.0f);
    EXPECT_EQ(row[1], -0.125f);
    EXPECT_EQ(row[2], 65504.0f);
  }
  // Version 2.0: a 4-byte header length; numpy's spacing and double quotes.
  const std::string dict = "{\"descr\":\"<f4\",\"fortran_order\":False,\"shape\":(1,8)}\n";
  auto v2 = parse_npy(ByteView(file_with(dict, 32, 2)), "v2.npy");
  ASSERT_TRUE(v2) << v2.message();
  EXPECT_EQ(v2->cols, 8u);
}

TEST(Npy, RefusesWhatIsNotA2dLittleEndianFloatArray) {
  struct Case {
    std::vector<uint8_t> file;
    const char* says;
  };
  const std::string ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 8), }\n";
  std::vector<uint8_t> bad_magic = file_with(ok, 64);
  bad_magic[1] = 'X';
  std::vector<uint8_t> bad_version = file_with(ok, 64);
  bad_version[6] = 9;
  std::vector<uint8_t> long_header = file_with(ok, 64);
  long_header[8] = 0xFF;
  long_header[9] = 0xFF;
  const Case cases[] = {
      {bad_magic, "not a .npy file"},
      {bad_version, "version 9.0"},
      {long_header, "does not fit in the file"},
      {file_with(ok, 63), "needs 64 bytes of data but the file has 63"},
      {file_with(ok, 65), "needs 64 bytes of data but the file has 65"},
      {file_with("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 8), }\n", 64), "not a little-endian float"},
      {file_with("{'descr': '<i8', 'fortran_order': False, 'shape': (2, 4), }\n", 64), "'<i8'"},
      {file_with("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 8), }\n", 64), "Fortran order"},
      {file_with("{'descr': '<f4', 'fortran_order': False, 'shape': (16,), }\n", 64), "has 1 dimensions"},
      {file_with("{'descr': '<f4', 'fortran_order': False, 'shape': (-2, 8), }\n", 64), "non-negative integers"},
      {file_with("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999, 8), }\n", 64),
       "non-negative integers"},
      {file_with("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 8), }\n", 64),
       "is too large"},
      {file_with("{'descr': '<f4', 'shape': (2, 8), }\n", 64), "lacks one of"},
      {file_with("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 8), 'x': 1}\n", 64), "unknown key 'x'"},
      {file_with("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 8)\n", 64), "does not end with '}'"},
      {file_with("[1, 2]\n", 64), "does not start with '{'"},
      {{0x93, 'N', 'U'}, "not a .npy file"},
  };
  for (const Case& c : cases) {
    auto m = parse_npy(ByteView(c.file), "bad.npy");
    ASSERT_FALSE(m) << c.says;
    EXPECT_NE(m.message().find(c.says), std::string::npos) << m.message();
    EXPECT_EQ(m.message().rfind("bad.npy: ", 0), 0u) << m.message();
  }
}

TEST(Npy, HalfConversionsFollowTheDefinition) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const uint32_t exp = (h >> 10) & 0x1F, mant = h & 0x3FF;
    const double sign = (h & 0x8000) ? -1.0 : 1.0;
    const float f = half_to_float(uint16_t(h));
    if (exp == 31) {
      EXPECT_TRUE(mant ? std::isnan(f) : std::isinf(f)) << h;
      continue;
    }
    const double want = exp == 0 ? sign * std::ldexp(double(mant), -24)
                                 : sign * std::ldexp(1.0 + double(mant) / 1024.0, int(exp) - 15);
    ASSERT_EQ(double(f), want) << "half " << h;
    ASSERT_EQ(float_to_half(f), h) << "round trip of half " << h;
  }
  // Ties round to even; beyond the largest half is infinity.
  EXPECT_EQ(float_to_half(1.0f + 1.0f / 2048.0f), 0x3C00);                   // halfway to 1+2^-10: even is 1
  EXPECT_EQ(float_to_half(1.0f + 3.0f / 2048.0f), 0x3C02);                   // halfway, up to even
  EXPECT_EQ(float_to_half(1.0f + 1.0f / 2048.0f + 1e-7f), 0x3C01);           // above halfway
  EXPECT_EQ(float_to_half(65520.0f), 0x7C00);
  EXPECT_EQ(float_to_half(-1e9f), 0xFC00);
  EXPECT_EQ(float_to_half(std::ldexp(1.0f, -25)), 0x0000);                   // halfway to the smallest: even 0
  EXPECT_EQ(float_to_half(std::ldexp(1.5f, -25)), 0x0001);
  EXPECT_TRUE(std::isnan(half_to_float(float_to_half(std::numeric_limits<float>::quiet_NaN()))));
}

}  // namespace
}  // namespace clip
