#include "core/image/exif_orientation.h"

#include <cstring>

#include "core/image/jpeg_segments.h"

namespace clip {

namespace {

constexpr uint16_t kOrientationTag = 0x0112;
constexpr uint16_t kTypeShort = 3, kTypeLong = 4;

struct TiffReader {
  ByteView b;
  bool little;
  // Callers check bounds first; these only assemble bytes.
  uint16_t u16(size_t at) const {
    const uint8_t* p = b.data + at;
    return little ? uint16_t(p[0] | p[1] << 8) : uint16_t(p[0] << 8 | p[1]);
  }
  uint32_t u32(size_t at) const {
    const uint32_t first = u16(at), second = u16(at + 2);
    return little ? (second << 16 | first) : (first << 16 | second);
  }
};

// PNG keeps EXIF in an eXIf chunk (Pillow reads it before or after IDAT).
ByteView png_exif_chunk(ByteView png) {
  size_t pos = 8;  // after the signature
  while (png.size - pos >= 12) {
    const uint8_t* p = png.data + pos;
    const uint32_t length = uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
    if (length > png.size - pos - 12) break;  // chunk (+ type + CRC) overruns the file
    if (std::memcmp(p + 4, "eXIf", 4) == 0) return ByteView(p + 8, length);
    if (std::memcmp(p + 4, "IEND", 4) == 0) break;
    pos += 12 + size_t(length);
  }
  return {};
}

}  // namespace

int exif_orientation_from_tiff(ByteView tiff) {
  if (tiff.size < 8) return 1;
  TiffReader r{tiff, tiff.data[0] == 'I'};
  const bool ii = std::memcmp(tiff.data, "II", 2) == 0, mm = std::memcmp(tiff.data, "MM", 2) == 0;
  if ((!ii && !mm) || r.u16(2) != 42) return 1;
  // Only IFD0 holds the orientation, so no IFD chain is followed (and no
  // hostile chain can loop).
  const uint32_t ifd = r.u32(4);
  if (ifd > tiff.size - 2) return 1;
  const uint32_t entries = r.u16(ifd);
  for (uint32_t i = 0; i < entries; ++i) {
    const size_t e = size_t(ifd) + 2 + size_t(i) * 12;
    if (e + 12 > tiff.size) return 1;
    if (r.u16(e) != kOrientationTag) continue;
    const uint16_t type = r.u16(e + 2);
    // Pillow reads a count other than 1 as a tuple and then ignores it.
    if (r.u32(e + 4) != 1) return 1;
    uint32_t v = type == kTypeShort ? r.u16(e + 8) : type == kTypeLong ? r.u32(e + 8) : 0;
    return v >= 1 && v <= 8 ? int(v) : 1;
  }
  return 1;
}

int exif_orientation(ByteView encoded, ImageFormat format) {
  if (format == ImageFormat::jpeg) return exif_orientation_from_tiff(scan_jpeg_segments(encoded).exif);
  if (format == ImageFormat::png && encoded.size >= 8) return exif_orientation_from_tiff(png_exif_chunk(encoded));
  return 1;
}

}  // namespace clip
