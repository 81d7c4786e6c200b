// CRC-32C against published check values (RFC 3720 appendix B.4 and the
// "123456789" check), and incremental use against one-shot.
#include "core/util/crc32c.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace clip {
namespace {

TEST(Crc32c, CheckValue) {
  const std::string s = "123456789";
  EXPECT_EQ(crc32c(s.data(), s.size()), 0xE3069283u);
  EXPECT_EQ(crc32c(nullptr, 0), 0u);
}

TEST(Crc32c, Rfc3720Vectors) {
  std::vector<uint8_t> buf(32, 0x00);
  EXPECT_EQ(crc32c(buf.data(), buf.size()), 0x8A9136AAu);
  buf.assign(32, 0xFF);
  EXPECT_EQ(crc32c(buf.data(), buf.size()), 0x62A8AB43u);
  for (int i = 0; i < 32; ++i) buf[i] = uint8_t(i);
  EXPECT_EQ(crc32c(buf.data(), buf.size()), 0x46DD794Eu);
  for (int i = 0; i < 32; ++i) buf[i] = uint8_t(31 - i);
  EXPECT_EQ(crc32c(buf.data(), buf.size()), 0x113FDB5Cu);
}

TEST(Crc32c, IncrementalMatchesOneShot) {
  std::vector<uint8_t> data(777);
  for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(i * 37 + 11);
  const uint32_t whole = crc32c(data.data(), data.size());
  for (size_t split : {0, 1, 7, 8, 9, 500, 777}) {
    uint32_t c = crc32c(data.data(), split);
    c = crc32c(data.data() + split, data.size() - split, c);
    EXPECT_EQ(c, whole) << "split at " << split;
  }
}

TEST(Crc32c, DetectsEverySingleBitFlip) {
  std::vector<uint8_t> data(64, 0x5A);
  const uint32_t clean = crc32c(data.data(), data.size());
  for (size_t bit = 0; bit < data.size() * 8; ++bit) {
    data[bit / 8] ^= uint8_t(1u << (bit % 8));
    EXPECT_NE(crc32c(data.data(), data.size()), clean) << "bit " << bit;
    data[bit / 8] ^= uint8_t(1u << (bit % 8));
  }
}

}  // namespace
}  // namespace clip
