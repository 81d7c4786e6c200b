#include "core/image/jpeg_segments.h"

#include <cstring>

namespace clip {

namespace {

constexpr uint8_t kSOS = 0xDA, kEOI = 0xD9, kAPP1 = 0xE1, kDHT = 0xC4;

// SOF0-15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
bool start_of_frame(uint8_t m) { return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC; }

// Markers that stand alone, without a length field: TEM, RST0-7, SOI.
bool standalone(uint8_t m) { return m == 0x01 || (m >= 0xD0 && m <= 0xD8); }

// Entropy-coded data ends at the first 0xFF that is neither a stuffed 0x00
// nor a restart marker (those live inside the scan). Returns its offset, or
// n when the data runs off the end.
size_t skip_entropy_coded(const uint8_t* p, size_t pos, size_t n) {
  while (pos + 1 < n) {
    const uint8_t* ff = static_cast<const uint8_t*>(std::memchr(p + pos, 0xFF, n - pos - 1));
    if (!ff) return n;
    pos = size_t(ff - p);
    uint8_t next = p[pos + 1];
    if (next == 0x00 || (next >= 0xD0 && next <= 0xD7) || next == 0xFF) {
      pos += next == 0xFF ? 1 : 2;  // 0xFF fill bytes precede a marker
      continue;
    }
    return pos;
  }
  return n;
}

// A DHT payload is one or more tables: class/id byte, 16 code counts, then
// that many symbol bytes. A baseline table holds at most 256 symbols.
bool huffman_tables_valid(const uint8_t* p, size_t n) {
  size_t pos = 0;
  while (pos < n) {
    if (n - pos < 17) return false;
    size_t codes = 0;
    for (int i = 1; i <= 16; ++i) codes += p[pos + size_t(i)];
    if (codes > 256 || codes > n - pos - 17) return false;
    pos += 17 + codes;
  }
  return true;
}

}  // namespace

JpegLayout scan_jpeg_segments(ByteView jpeg) {
  JpegLayout out;
  const uint8_t* p = jpeg.data;
  const size_t n = jpeg.size;
  if (n < 2 || p[0] != 0xFF || p[1] != 0xD8) return out;
  size_t pos = 2;
  while (pos < n) {
    // Like libjpeg, tolerate stray bytes between segments: resync on 0xFF.
    if (p[pos] != 0xFF) {
      ++pos;
      continue;
    }
    while (pos < n && p[pos] == 0xFF) ++pos;
    if (pos >= n) break;
    const uint8_t marker = p[pos++];
    if (marker == kEOI) {
      out.complete = true;
      out.end = pos;
      return out;
    }
    if (standalone(marker)) continue;
    if (n - pos < 2) break;
    const size_t length = size_t(p[pos]) << 8 | p[pos + 1];  // includes its own 2 bytes
    if (length < 2 || length > n - pos) break;
    const uint8_t* payload = p + pos + 2;
    const size_t payload_size = length - 2;
    if (marker == kAPP1 && out.exif.size == 0 && payload_size >= 6 &&
        std::memcmp(payload, "Exif\0", 5) == 0)
      out.exif = ByteView(payload + 6, payload_size - 6);
    if (marker == kDHT && out.bad_table == 0 && !huffman_tables_valid(payload, payload_size))
      out.bad_table = pos - 2;  // offset of the marker
    if (start_of_frame(marker) && out.width == 0 && payload_size >= 5) {
      out.height = payload[1] << 8 | payload[2];  // after the sample precision byte
      out.width = payload[3] << 8 | payload[4];
    }
    pos += length;
    if (marker == kSOS) pos = skip_entropy_coded(p, pos, n);
  }
  out.end = n;
  return out;
}

}  // namespace clip
