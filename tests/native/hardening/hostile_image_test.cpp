// Images the fuzzer and the bad-input corpus found dangerous, refused with a
// reason (tests/fuzz/regressions/image/ holds the inputs; docs/HARDENING.md
// tells each story). These run in every build; the fuzz replay tests run the
// same inputs through the fuzz target's checks.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/image/preprocess.h"

namespace {

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  EXPECT_TRUE(f) << path;
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

std::vector<uint8_t> regression(const std::string& name) {
  return read_bytes(std::string(CLIPSEARCH_SOURCE_DIR) + "/tests/fuzz/regressions/image/" + name);
}

// A JPEG with every segment of one marker type removed (before the scan).
std::vector<uint8_t> without_segments(const std::vector<uint8_t>& jpeg, uint8_t marker) {
  std::vector<uint8_t> out(jpeg.begin(), jpeg.begin() + 2);  // SOI
  size_t pos = 2;
  while (pos + 4 <= jpeg.size() && jpeg[pos] == 0xFF && jpeg[pos + 1] != 0xDA) {
    const size_t length = size_t(jpeg[pos + 2]) << 8 | jpeg[pos + 3];
    if (jpeg[pos + 1] != marker) out.insert(out.end(), jpeg.begin() + pos, jpeg.begin() + pos + 2 + length);
    pos += 2 + length;
  }
  out.insert(out.end(), jpeg.begin() + pos, jpeg.end());
  return out;
}

const std::string kPhoto = std::string(CLIPSEARCH_TEST_DATA) + "/image/fixtures/orient_1.jpg";

}  // namespace

// stb_image allocates its decoder state uninitialised: a scan naming a
// Huffman table no DHT segment defined made it index past its tables
// (found by fuzz_image, UBSan: index 702 out of bounds for stbi_uc[256]).
TEST(HostileImage, ScanWithUndefinedHuffmanTableIsRefused) {
  const auto bytes = regression("jpeg_scan_uses_undefined_huffman_table.jpg");
  auto image = clip::decode_image(clip::ByteView(bytes));
  ASSERT_FALSE(image.ok());
  EXPECT_NE(image.message().find("uses AC Huffman table 1, which no segment before it defines"), std::string::npos)
      << image.message();
}

TEST(HostileImage, JpegWithoutHuffmanOrQuantTablesIsRefused) {
  const auto photo = read_bytes(kPhoto);
  ASSERT_TRUE(clip::decode_image(clip::ByteView(photo)).ok());

  auto no_dht = clip::decode_image(clip::ByteView(without_segments(photo, 0xC4)));
  ASSERT_FALSE(no_dht.ok());
  EXPECT_NE(no_dht.message().find("malformed JPEG: the scan at offset"), std::string::npos) << no_dht.message();
  EXPECT_NE(no_dht.message().find("Huffman table"), std::string::npos) << no_dht.message();

  auto no_dqt = clip::decode_image(clip::ByteView(without_segments(photo, 0xDB)));
  ASSERT_FALSE(no_dqt.ok());
  EXPECT_NE(no_dqt.message().find("quantization table 0"), std::string::npos) << no_dqt.message();
}

// A 64x64 PNG whose IDAT inflates to 16 MB of zeros: stb_image inflates into
// a buffer that doubles until the stream ends (up to 4 GB), so its
// allocations are now held to what the header's size can need.
TEST(HostileImage, PngDecompressionBombIsRefusedEarly) {
  const auto bytes = regression("png_bomb_64x64_header_over_16MB_stream.png");
  auto info = clip::probe_image(clip::ByteView(bytes));
  ASSERT_TRUE(info.ok()) << info.message();  // the header itself is fine
  EXPECT_EQ(info->width, 64);
  auto image = clip::decode_image(clip::ByteView(bytes));
  ASSERT_FALSE(image.ok());
  EXPECT_NE(image.message().find("more than a 64x64 image can (a decompression bomb?)"), std::string::npos)
      << image.message();
}
