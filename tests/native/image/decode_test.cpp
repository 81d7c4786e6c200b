// decode_image on every supported layout (checked against what Pillow +
// Hugging Face produce, fixtures/*.expected.png) and on bytes that are not
// a whole image: each gives a clear error, none crashes.
#include <gtest/gtest.h>

#include <cstring>

#include "image_test_util.h"

namespace clip {
namespace {

using test::image_data;
using test::load_rgb;
using test::read_bytes;

class Layout : public testing::TestWithParam<std::pair<const char*, const char*>> {};

TEST_P(Layout, MatchesPillow) {
  const RgbImage got = load_rgb(std::string("fixtures/") + GetParam().first);
  const RgbImage want = load_rgb(std::string("fixtures/") + GetParam().second);
  ASSERT_EQ(got.width, want.width);
  ASSERT_EQ(got.height, want.height);
  EXPECT_EQ(got.pixels, want.pixels);
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, Layout,
    testing::Values(std::make_pair("gray_alpha.png", "gray_alpha.expected.png"),
                    std::make_pair("palette_trns.png", "palette_trns.expected.png"),
                    std::make_pair("gray_trns.png", "gray_trns.expected.png"),
                    std::make_pair("two_frames.gif", "two_frames_gif.expected.png"),
                    std::make_pair("rgb24.bmp", "rgb24_bmp.expected.png"),
                    std::make_pair("rgb16.png", "rgb16.expected.png"),
                    std::make_pair("gray16.png", "gray16.expected.png")),
    [](const auto& p) {
      std::string s = p.param.first;
      for (char& c : s)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      return s;
    });

std::string decode_error(const std::vector<uint8_t>& bytes, const DecodeLimits& limits = {}) {
  Result<RgbImage> r = decode_image(bytes, limits);
  return r.ok() ? "decoded" : r.message();
}

std::vector<uint8_t> bytes_of(const char* s) { return std::vector<uint8_t>(s, s + std::strlen(s)); }

TEST(DecodeErrors, EmptyAndUnknown) {
  EXPECT_EQ(decode_error({}), "not an image: empty input (0 bytes)");
  EXPECT_EQ(decode_error(bytes_of("<html><body>404</body></html>")),
            "not an image: unknown format (first bytes 3c 68 74 6d)");
  EXPECT_EQ(decode_error({0x00}), "not an image: unknown format (first bytes 00)");
  EXPECT_EQ(decode_error(bytes_of("BM")), "not an image: unknown format (first bytes 42 4d)");
}

TEST(DecodeErrors, BrowserOnlyFormatsAreNamed) {
  const std::vector<uint8_t> webp = {'R', 'I', 'F', 'F', 0x10, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', ' '};
  EXPECT_EQ(sniff_image_format(webp), ImageFormat::webp);
  EXPECT_FALSE(can_decode(ImageFormat::webp));
  EXPECT_NE(decode_error(webp).find("unsupported image format WebP"), std::string::npos);
  std::vector<uint8_t> avif = {0, 0, 0, 0x1c, 'f', 't', 'y', 'p', 'a', 'v', 'i', 'f'};
  EXPECT_NE(decode_error(avif).find("AVIF"), std::string::npos);
  std::vector<uint8_t> heic = {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'h', 'e', 'i', 'c'};
  EXPECT_NE(decode_error(heic).find("HEIF"), std::string::npos);
}

// A PNG signature and IHDR declaring `w` x `h` RGB, and nothing else.
std::vector<uint8_t> png_header(uint32_t w, uint32_t h) {
  const uint8_t head[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
  std::vector<uint8_t> b(head, head + sizeof head);
  for (uint32_t v : {w, h})
    for (int shift = 24; shift >= 0; shift -= 8) b.push_back(uint8_t(v >> shift));
  for (uint8_t v : {8, 2, 0, 0, 0, 0, 0, 0, 0}) b.push_back(v);  // depth 8, RGB, CRC (unchecked)
  return b;
}

TEST(DecodeErrors, HugeDeclaredSizeRefusedBeforeDecoding) {
  EXPECT_EQ(decode_error(png_header(100000, 100000)), "image 100000x100000 exceeds the 64 MP limit");
  Result<ImageInfo> info = probe_image(png_header(100000, 100000));
  ASSERT_FALSE(info.ok());
  DecodeLimits small;
  small.max_pixels = 1000;
  EXPECT_EQ(decode_error(read_bytes(image_data("golden/images/sk_coins.png")), small),
            "image 384x303 exceeds the 0.001 MP limit");
  DecodeLimits narrow;
  narrow.max_side = 100;
  EXPECT_EQ(decode_error(read_bytes(image_data("golden/images/panorama_1000x50.png")), narrow),
            "image 1000x50 exceeds the 100-pixel side limit");
  // A header alone within limits: the missing pixel data is the error.
  EXPECT_NE(decode_error(png_header(16, 16)).find("cannot decode PNG"), std::string::npos);
  EXPECT_EQ(decode_error(png_header(0, 16)), "image has no pixels (0x16)");
}

// Every prefix of a real file fails cleanly (or, for a few formats, decodes
// once everything the first frame needs is there).
void expect_prefixes_fail(const std::string& rel, size_t complete_from) {
  const std::vector<uint8_t> bytes = read_bytes(image_data(rel));
  ASSERT_TRUE(decode_image(bytes).ok()) << rel;
  for (size_t n = 0; n < bytes.size(); n += n < 64 ? 1 : 7) {
    const std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + long(n));
    Result<RgbImage> r = decode_image(cut);
    if (n < complete_from) {
      EXPECT_FALSE(r.ok()) << rel << " cut to " << n << " bytes decoded";
    }
    if (!r.ok()) {
      EXPECT_FALSE(r.message().empty());
    }
  }
}

TEST(DecodeErrors, TruncatedFilesFail) {
  expect_prefixes_fail("golden/images/baseline_q90_400x300.jpg", SIZE_MAX);
  expect_prefixes_fail("fixtures/progressive_orient_8.jpg", SIZE_MAX);
  expect_prefixes_fail("golden/images/palette_400x300.png", SIZE_MAX);
  expect_prefixes_fail("fixtures/rgb16.png", SIZE_MAX);
  expect_prefixes_fail("fixtures/rgb24.bmp", SIZE_MAX);
  // A GIF is complete once its first frame is; later frames do not matter.
  expect_prefixes_fail("fixtures/two_frames.gif", 800);
  const std::vector<uint8_t> jpeg = read_bytes(image_data("golden/images/baseline_q90_400x300.jpg"));
  const std::vector<uint8_t> half(jpeg.begin(), jpeg.begin() + long(jpeg.size() / 2));
  EXPECT_EQ(decode_error(half), "truncated JPEG: no end-of-image marker (file has 4018 bytes)");
}

TEST(DecodeErrors, CorruptBytesNeverCrash) {
  // Flip bytes all over real files: each result is an image or an error.
  for (const char* rel : {"golden/images/progressive_400x300.jpg", "golden/images/sk_horse.png",
                          "fixtures/two_frames.gif", "fixtures/rgb24.bmp"}) {
    const std::vector<uint8_t> bytes = read_bytes(image_data(rel));
    for (size_t i = 0; i < bytes.size(); i += 1 + bytes.size() / 97) {
      std::vector<uint8_t> bad = bytes;
      bad[i] ^= 0xA5;
      if (i + 1 < bad.size()) bad[i + 1] = 0xFF;
      Result<RgbImage> r = decode_image(bad);
      if (r.ok()) {
        EXPECT_EQ(r->pixels.size(), size_t(r->width) * size_t(r->height) * 3) << rel;
      }
    }
  }
}

TEST(DecodeErrors, OversizedHuffmanTableRefused) {
  // A DHT table declaring 320 codes (the limit is 256): stb_image 2.27 would
  // write past its table, so it must never see this.
  std::vector<uint8_t> dht = {0xFF, 0xC4, 0x01, 0x53, 0x00};  // length 2 + 17 + 320
  for (int i = 0; i < 16; ++i) dht.push_back(20);
  dht.resize(dht.size() + 320, 0x01);
  std::vector<uint8_t> jpeg = read_bytes(image_data("fixtures/orient_1.jpg"));
  jpeg.insert(jpeg.begin() + 2, dht.begin(), dht.end());
  EXPECT_EQ(decode_error(jpeg), "malformed JPEG: bad Huffman table in the DHT segment at offset 2");
}

TEST(DecodeErrors, TrailingBytesAfterJpegAreFine) {
  // Motion photos append a video after the JPEG's end-of-image marker.
  std::vector<uint8_t> jpeg = read_bytes(image_data("fixtures/orient_1.jpg"));
  jpeg.insert(jpeg.end(), 1000, 0x42);
  Result<RgbImage> r = decode_image(jpeg);
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(r->width, 40);
}

TEST(RgbFromRgba, ValidatesArguments) {
  const uint8_t px[4] = {10, 20, 30, 255};
  EXPECT_FALSE(rgb_from_rgba(px, 0, 1).ok());
  EXPECT_FALSE(rgb_from_rgba(nullptr, 1, 1).ok());
  Result<RgbImage> huge = rgb_from_rgba(px, 100000, 100000);
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.message(), "image 100000x100000 exceeds the 64 MP limit");
  Result<RgbImage> one = rgb_from_rgba(px, 1, 1);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->pixels, (std::vector<uint8_t>{10, 20, 30}));
}

}  // namespace
}  // namespace clip
