#include "core/image/stream_check.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/image/jpeg_segments.h"

namespace clip {

namespace {

Status truncated(const char* format, const std::string& what, size_t size) {
  return make_error(std::string("truncated ") + format + ": " + what + " (file has " +
                    std::to_string(size) + " bytes)");
}

Status check_jpeg(ByteView b) {
  JpegLayout layout = scan_jpeg_segments(b);
  if (layout.bad_table)
    return make_error("malformed JPEG: bad Huffman table in the DHT segment at offset " +
                      std::to_string(layout.bad_table));
  if (layout.bad_scan)
    return make_error("malformed JPEG: the scan at offset " + std::to_string(layout.bad_scan) + " uses " +
                      layout.missing_table + ", which no segment before it defines");
  if (!layout.complete) return truncated("JPEG", "no end-of-image marker", b.size);
  return ok_status();
}

// GIF: header, optional global palette, then blocks up to the end of the
// first image's LZW data (all we decode).
Status check_gif(ByteView b) {
  const uint8_t* p = b.data;
  const size_t n = b.size;
  size_t pos = 13;  // signature + logical screen descriptor
  if (n < pos) return truncated("GIF", "header cut short", n);
  if (p[10] & 0x80) pos += size_t(3) << ((p[10] & 7) + 1);
  auto skip_sub_blocks = [&]() {
    while (pos < n) {
      const size_t len = p[pos++];
      if (len == 0) return true;
      pos += len;
    }
    return false;
  };
  while (pos < n) {
    const uint8_t block = p[pos++];
    if (block == 0x21) {  // extension: label, then data sub-blocks
      ++pos;
      if (!skip_sub_blocks()) break;
    } else if (block == 0x2C) {  // image descriptor, local palette, LZW data
      if (n - pos < 10) break;
      const uint8_t flags = p[pos + 8];
      pos += 9;
      if (flags & 0x80) pos += size_t(3) << ((flags & 7) + 1);
      ++pos;  // LZW minimum code size
      if (!skip_sub_blocks()) break;
      return ok_status();
    } else if (block == 0x3B) {
      return make_error("GIF holds no image (trailer at offset " + std::to_string(pos - 1) + ")");
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02x", block);
      return make_error(std::string("malformed GIF: unknown block ") + hex + " at offset " +
                        std::to_string(pos - 1));
    }
  }
  return truncated("GIF", "first frame cut short", n);
}

uint32_t le32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}
uint16_t le16(const uint8_t* p) { return uint16_t(p[0] | p[1] << 8); }

// BMP: uncompressed pixel rows must fit in the file (the last row's padding
// may be missing). Headers stb_image rejects anyway are left to it.
Status check_bmp(ByteView b) {
  const uint8_t* p = b.data;
  if (b.size < 26) return truncated("BMP", "header cut short", b.size);
  const uint64_t offset = le32(p + 10);
  const uint32_t dib = le32(p + 14);
  int64_t w, h;
  uint32_t bpp, compression = 0;
  if (dib == 12) {
    w = le16(p + 18);
    h = le16(p + 20);
    bpp = le16(p + 24);
  } else if (dib >= 40) {
    if (b.size < 14 + 40) return truncated("BMP", "header cut short", b.size);
    w = int32_t(le32(p + 18));
    h = int32_t(le32(p + 22));
    bpp = le16(p + 28);
    compression = le32(p + 30);
  } else {
    return ok_status();
  }
  const bool uncompressed = compression == 0 || compression == 3 || compression == 6;
  if (!uncompressed || w <= 0 || h == 0 || bpp == 0 || bpp > 32) return ok_status();
  h = std::llabs(h);
  const uint64_t row_bytes = (uint64_t(w) * bpp + 7) / 8;
  const uint64_t stride = (uint64_t(w) * bpp + 31) / 32 * 4;
  const uint64_t need = offset + stride * uint64_t(h - 1) + row_bytes;
  if (need > b.size)
    return truncated("BMP", "pixel rows need " + std::to_string(need) + " bytes", b.size);
  return ok_status();
}

}  // namespace

Status check_stream(ByteView encoded, ImageFormat format) {
  switch (format) {
    case ImageFormat::jpeg: return check_jpeg(encoded);
    case ImageFormat::gif: return check_gif(encoded);
    case ImageFormat::bmp: return check_bmp(encoded);
    default: return ok_status();
  }
}

}  // namespace clip
