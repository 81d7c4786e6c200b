// EXIF orientation: the TIFF parser on hand-built and hostile blocks, and all
// eight orientations on real JPEGs (fixtures/orient_K.jpg: the same pixels
// with orientation K, and Pillow's exif_transpose result beside each).
#include <gtest/gtest.h>

#include "core/image/exif_orientation.h"
#include "image_test_util.h"

namespace clip {
namespace {

// A TIFF block with one IFD0 entry (tag, type, count, value) in either byte order.
std::vector<uint8_t> tiff_block(bool little, uint16_t tag, uint16_t type, uint32_t count,
                                uint32_t value, uint32_t ifd_offset = 8, uint16_t entries = 1) {
  std::vector<uint8_t> b;
  auto u16 = [&](uint16_t v) {
    if (little) b.insert(b.end(), {uint8_t(v), uint8_t(v >> 8)});
    else b.insert(b.end(), {uint8_t(v >> 8), uint8_t(v)});
  };
  auto u32 = [&](uint32_t v) {
    if (little) { u16(uint16_t(v)); u16(uint16_t(v >> 16)); }
    else { u16(uint16_t(v >> 16)); u16(uint16_t(v)); }
  };
  b.push_back(little ? 'I' : 'M');
  b.push_back(little ? 'I' : 'M');
  u16(42);
  u32(ifd_offset);
  u16(entries);
  u16(tag);
  u16(type);
  u32(count);
  if (type == 3) { u16(uint16_t(value)); u16(0); } else { u32(value); }
  u32(0);  // next IFD
  return b;
}

int orientation_of(const std::vector<uint8_t>& tiff) { return exif_orientation_from_tiff(ByteView(tiff)); }

TEST(ExifTiff, ReadsShortInBothByteOrders) {
  for (int k = 1; k <= 8; ++k) {
    EXPECT_EQ(orientation_of(tiff_block(true, 0x0112, 3, 1, uint32_t(k))), k);
    EXPECT_EQ(orientation_of(tiff_block(false, 0x0112, 3, 1, uint32_t(k))), k);
  }
  EXPECT_EQ(orientation_of(tiff_block(false, 0x0112, 4, 1, 6)), 6);  // LONG
}

TEST(ExifTiff, MalformedReadsAsUpright) {
  EXPECT_EQ(orientation_of({}), 1);
  EXPECT_EQ(orientation_of(tiff_block(true, 0x0112, 3, 1, 9)), 1);        // out of range
  EXPECT_EQ(orientation_of(tiff_block(true, 0x0112, 3, 1, 0)), 1);
  EXPECT_EQ(orientation_of(tiff_block(true, 0x0112, 3, 2, 6)), 1);        // count != 1
  EXPECT_EQ(orientation_of(tiff_block(true, 0x0112, 2, 1, 6)), 1);        // ASCII type
  EXPECT_EQ(orientation_of(tiff_block(true, 0x0110, 3, 1, 6)), 1);        // another tag
  EXPECT_EQ(orientation_of(tiff_block(true, 0x0112, 3, 1, 6, 0xFFFFFFF0u)), 1);  // IFD past end
  EXPECT_EQ(orientation_of(tiff_block(true, 0x0112, 3, 1, 6, 8, 0xFFFF)), 6);    // found before overrun
  EXPECT_EQ(orientation_of(tiff_block(true, 0x0100, 3, 1, 6, 8, 0xFFFF)), 1);    // count overruns
  std::vector<uint8_t> bad_magic = tiff_block(true, 0x0112, 3, 1, 6);
  bad_magic[2] = 43;
  EXPECT_EQ(orientation_of(bad_magic), 1);
  std::vector<uint8_t> bad_order = tiff_block(true, 0x0112, 3, 1, 6);
  bad_order[1] = 'M';
  EXPECT_EQ(orientation_of(bad_order), 1);
  // Every truncation of a valid block is either complete enough or upright.
  const std::vector<uint8_t> good = tiff_block(false, 0x0112, 3, 1, 6);
  for (size_t n = 0; n < good.size(); ++n) {
    std::vector<uint8_t> cut(good.begin(), good.begin() + long(n));
    EXPECT_EQ(orientation_of(cut), n >= 8 + 2 + 12 ? 6 : 1) << n;  // header, count, entry
  }
}

// Pillow's exif_transpose expressed through its elementary operations, as an
// independent statement of what each orientation means.
RgbImage flip_lr(const RgbImage& a) {
  RgbImage o = a;
  for (int y = 0; y < a.height; ++y)
    for (int x = 0; x < a.width; ++x)
      for (int c = 0; c < 3; ++c)
        o.pixels[size_t((y * a.width + x) * 3 + c)] = a.pixels[size_t((y * a.width + a.width - 1 - x) * 3 + c)];
  return o;
}
RgbImage flip_tb(const RgbImage& a) {
  RgbImage o = a;
  for (int y = 0; y < a.height; ++y)
    for (int x = 0; x < a.width; ++x)
      for (int c = 0; c < 3; ++c)
        o.pixels[size_t((y * a.width + x) * 3 + c)] = a.pixels[size_t(((a.height - 1 - y) * a.width + x) * 3 + c)];
  return o;
}
RgbImage transpose(const RgbImage& a) {
  RgbImage o{a.height, a.width, a.pixels};
  for (int y = 0; y < o.height; ++y)
    for (int x = 0; x < o.width; ++x)
      for (int c = 0; c < 3; ++c)
        o.pixels[size_t((y * o.width + x) * 3 + c)] = a.pixels[size_t((x * a.width + y) * 3 + c)];
  return o;
}
RgbImage pillow_transpose(const RgbImage& a, int k) {
  switch (k) {
    case 2: return flip_lr(a);
    case 3: return flip_tb(flip_lr(a));
    case 4: return flip_tb(a);
    case 5: return transpose(a);
    case 6: return flip_lr(transpose(a));
    case 7: return flip_tb(flip_lr(transpose(a)));
    case 8: return flip_tb(transpose(a));
    default: return a;
  }
}

class Orientation : public testing::TestWithParam<int> {};

TEST_P(Orientation, JpegMatchesPillow) {
  const int k = GetParam();
  const std::string name = "fixtures/orient_" + std::to_string(k);
  const std::vector<uint8_t> bytes = test::read_bytes(test::image_data(name + ".jpg"));
  EXPECT_EQ(exif_orientation(ByteView(bytes), ImageFormat::jpeg), k);

  const RgbImage got = test::load_rgb(name + ".jpg");
  // Same scan data in every file: exactly the upright decode, transposed.
  const RgbImage upright = test::load_rgb("fixtures/orient_1.jpg");
  const RgbImage want = pillow_transpose(upright, k);
  ASSERT_EQ(got.width, want.width);
  ASSERT_EQ(got.height, want.height);
  EXPECT_EQ(got.pixels, want.pixels);

  // And what Pillow shows (decoded by libjpeg, so within JPEG tolerance).
  const test::PixelDiff d = test::pixel_diff(got, test::load_rgb(name + ".expected.png"));
  EXPECT_LT(d.mean, 2.0) << "max " << d.max;
}

INSTANTIATE_TEST_SUITE_P(AllEight, Orientation, testing::Range(1, 9));

TEST(Orientation, PngExifChunk) {
  const RgbImage got = test::load_rgb("fixtures/orient_6.png");
  const RgbImage want = test::load_rgb("fixtures/orient_6_png.expected.png");
  EXPECT_EQ(got.width, 24);
  EXPECT_EQ(got.height, 40);
  EXPECT_EQ(got.pixels, want.pixels);
}

TEST(Orientation, ProbeReportsDisplaySize) {
  Result<ImageInfo> info = probe_image(test::read_bytes(test::image_data("fixtures/progressive_orient_8.jpg")));
  ASSERT_TRUE(info.ok()) << info.message();
  EXPECT_EQ(info->orientation, 8);
  EXPECT_EQ(info->width, 24);
  EXPECT_EQ(info->height, 40);
}

// Splices an APP1 segment holding `tiff` right after SOI.
std::vector<uint8_t> with_app1(std::vector<uint8_t> jpeg, const std::vector<uint8_t>& payload) {
  std::vector<uint8_t> seg = {0xFF, 0xE1, uint8_t((payload.size() + 2) >> 8), uint8_t(payload.size() + 2)};
  seg.insert(seg.end(), payload.begin(), payload.end());
  jpeg.insert(jpeg.begin() + 2, seg.begin(), seg.end());
  return jpeg;
}

std::vector<uint8_t> exif_payload(const std::vector<uint8_t>& tiff) {
  std::vector<uint8_t> p(6 + tiff.size(), 0);
  std::copy(tiff.begin(), tiff.end(), p.begin() + 6);
  std::copy_n("Exif", 4, p.begin());
  return p;
}

TEST(Orientation, FirstExifSegmentWins) {
  // orient_1.jpg already has an EXIF APP1 (orientation 1); one spliced in
  // front of it takes precedence, as in Pillow.
  const std::vector<uint8_t> jpeg = test::read_bytes(test::image_data("fixtures/orient_1.jpg"));
  const std::vector<uint8_t> rotated = with_app1(jpeg, exif_payload(tiff_block(true, 0x0112, 3, 1, 6)));
  Result<RgbImage> r = decode_image(rotated);
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(r->width, 24);
}

TEST(Orientation, HostileExifDecodesUpright) {
  const std::vector<uint8_t> jpeg = test::read_bytes(test::image_data("fixtures/orient_1.jpg"));
  const std::vector<std::vector<uint8_t>> payloads = {
      {'E', 'x', 'i', 'f', 0},                                  // no TIFF at all
      exif_payload({'I', 'I', 42, 0}),                          // header cut short
      exif_payload(tiff_block(true, 0x0112, 3, 1, 6, 0x7FFFFFFF)),
      exif_payload(tiff_block(false, 0x0112, 3, 1, 6, 4)),      // IFD overlaps the header
      exif_payload(tiff_block(true, 0x0112, 3, 1, 0xFFFF)),
      exif_payload(std::vector<uint8_t>(300, 0xFF)),
  };
  for (size_t i = 0; i < payloads.size(); ++i) {
    Result<RgbImage> r = decode_image(with_app1(jpeg, payloads[i]));
    ASSERT_TRUE(r.ok()) << i << ": " << r.message();
    EXPECT_EQ(r->width, 40) << i;
    EXPECT_EQ(r->height, 24) << i;
  }
}

}  // namespace
}  // namespace clip
