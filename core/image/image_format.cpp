// Magic-number sniffing. We decide the format ourselves instead of letting
// stb_image guess, so garbage is "not an image" rather than whatever its
// heuristics accept, and formats it cannot read get a named error.
#include "core/image/image_format.h"

#include <cstdio>
#include <cstring>
#include <string>

#include "core/image/jpeg_segments.h"

namespace clip {

namespace {

bool starts_with(ByteView b, size_t at, const char* magic, size_t n) {
  return b.size >= at + n && std::memcmp(b.data + at, magic, n) == 0;
}

// ISO-BMFF `ftyp` major brand (AVIF and HEIF share the container).
ImageFormat sniff_ftyp(ByteView b) {
  if (!starts_with(b, 4, "ftyp", 4) || b.size < 12) return ImageFormat::unknown;
  static const char* const avif[] = {"avif", "avis"};
  static const char* const heif[] = {"heic", "heix", "hevc", "hevx", "heim", "heis",
                                     "hevm", "hevs", "mif1", "msf1"};
  for (const char* brand : avif)
    if (starts_with(b, 8, brand, 4)) return ImageFormat::avif;
  for (const char* brand : heif)
    if (starts_with(b, 8, brand, 4)) return ImageFormat::heif;
  return ImageFormat::unknown;
}

uint32_t be32(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}
uint32_t le32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}
uint32_t le16(const uint8_t* p) { return uint32_t(p[0]) | uint32_t(p[1]) << 8; }

}  // namespace

ImageFormat sniff_image_format(ByteView b) {
  if (starts_with(b, 0, "\xFF\xD8\xFF", 3)) return ImageFormat::jpeg;
  if (starts_with(b, 0, "\x89PNG\r\n\x1A\n", 8)) return ImageFormat::png;
  if (starts_with(b, 0, "GIF87a", 6) || starts_with(b, 0, "GIF89a", 6)) return ImageFormat::gif;
  if (starts_with(b, 0, "BM", 2) && b.size >= 18) return ImageFormat::bmp;
  if (starts_with(b, 0, "RIFF", 4) && starts_with(b, 8, "WEBP", 4)) return ImageFormat::webp;
  if (starts_with(b, 0, "II*\0", 4) || starts_with(b, 0, "MM\0*", 4)) return ImageFormat::tiff;
  if (starts_with(b, 0, "\xFF\x0A", 2) ||
      starts_with(b, 0, "\0\0\0\x0CJXL \r\n\x87\n", 12))
    return ImageFormat::jxl;
  return sniff_ftyp(b);
}

const char* image_format_name(ImageFormat f) {
  switch (f) {
    case ImageFormat::jpeg: return "JPEG";
    case ImageFormat::png: return "PNG";
    case ImageFormat::gif: return "GIF";
    case ImageFormat::bmp: return "BMP";
    case ImageFormat::webp: return "WebP";
    case ImageFormat::avif: return "AVIF";
    case ImageFormat::heif: return "HEIF";
    case ImageFormat::tiff: return "TIFF";
    case ImageFormat::jxl: return "JPEG XL";
    case ImageFormat::unknown: break;
  }
  return "unknown";
}

bool can_decode(ImageFormat f) {
  return f == ImageFormat::jpeg || f == ImageFormat::png || f == ImageFormat::gif ||
         f == ImageFormat::bmp;
}

Result<ImageFormat> decodable_format(ByteView encoded) {
  if (encoded.size == 0) return make_error("not an image: empty input (0 bytes)");
  ImageFormat f = sniff_image_format(encoded);
  if (f == ImageFormat::unknown) {
    std::string hex;
    for (size_t i = 0; i < encoded.size && i < 4; ++i) {
      char buf[4];
      std::snprintf(buf, sizeof buf, i ? " %02x" : "%02x", encoded.data[i]);
      hex += buf;
    }
    return make_error("not an image: unknown format (first bytes " + hex + ")");
  }
  if (!can_decode(f))
    return make_error(std::string("unsupported image format ") + image_format_name(f) +
                      " (this decoder reads JPEG, PNG, GIF and BMP)");
  return f;
}

bool declared_size(ByteView b, ImageFormat format, int64_t* w, int64_t* h) {
  const uint8_t* p = b.data;
  switch (format) {
    case ImageFormat::png:  // IHDR is the first chunk
      if (b.size < 24 || std::memcmp(p + 12, "IHDR", 4) != 0) return false;
      *w = be32(p + 16);
      *h = be32(p + 20);
      return true;
    case ImageFormat::gif:  // logical screen: stb_image allocates frames this size
      if (b.size < 10) return false;
      *w = le16(p + 6);
      *h = le16(p + 8);
      return true;
    case ImageFormat::bmp: {
      if (b.size < 26) return false;
      const uint32_t dib = le32(p + 14);
      if (dib == 12) {
        *w = le16(p + 18);
        *h = le16(p + 20);
        return true;
      }
      if (b.size < 26 + 4) return false;
      *w = int32_t(le32(p + 18));
      *h = int32_t(le32(p + 22));
      if (*h < 0) *h = -*h;  // top-down rows
      return true;
    }
    case ImageFormat::jpeg: {
      const JpegLayout layout = scan_jpeg_segments(b);
      if (layout.width == 0 || layout.height == 0) return false;  // e.g. height in a DNL marker
      *w = layout.width;
      *h = layout.height;
      return true;
    }
    default:
      return false;
  }
}

}  // namespace clip
