#include "core/image/jpeg_segments.h"

#include <cstring>
#include <string>

namespace clip {

namespace {

constexpr uint8_t kSOS = 0xDA, kEOI = 0xD9, kAPP1 = 0xE1, kDHT = 0xC4, kDQT = 0xDB, kSOF2 = 0xC2;

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

// Which tables the segments so far defined, and what the frame needs: enough
// to tell whether a scan uses a table no segment defined. Ids and selectors
// stb_image rejects by itself (above 3) are left to it.
struct TableState {
  unsigned huffman = 0;  // bit class * 4 + id (class 0 DC, 1 AC)
  unsigned quant = 0;    // bit id
  bool progressive = false;
  int components = 0;
  uint8_t component_id[4] = {}, component_quant[4] = {};

  void define_huffman(const uint8_t* p, size_t n) {
    for (size_t pos = 0; n - pos >= 17;) {
      size_t codes = 0;
      for (int i = 1; i <= 16; ++i) codes += p[pos + size_t(i)];
      if ((p[pos] >> 4) <= 1 && (p[pos] & 15) <= 3) huffman |= 1u << ((p[pos] >> 4) * 4 + (p[pos] & 15));
      if (codes > n - pos - 17) break;
      pos += 17 + codes;
    }
  }

  void define_quant(const uint8_t* p, size_t n) {
    for (size_t pos = 0; pos < n;) {
      const size_t size = 1 + 64 * size_t((p[pos] >> 4) + 1);  // 8- or 16-bit entries
      if ((p[pos] >> 4) > 1 || size > n - pos) break;
      if ((p[pos] & 15) <= 3) quant |= 1u << (p[pos] & 15);
      pos += size;
    }
  }

  void frame(uint8_t marker, const uint8_t* p, size_t n) {
    if (components || n < 6) return;
    progressive = marker == kSOF2;
    for (size_t i = 0; i < p[5] && i < 4 && 6 + 3 * i + 2 < n; ++i) {
      component_id[i] = p[6 + 3 * i];
      component_quant[i] = p[6 + 3 * i + 2];
      components = int(i) + 1;
    }
  }

  // "" when every table the scan decodes with is defined. A progressive
  // scan uses only its DC tables (first DC pass) or its AC tables (AC passes).
  std::string missing(const uint8_t* p, size_t n) const {
    if (n < 1 || n < 1 + 2 * size_t(p[0]) + 3) return "";
    const size_t count = p[0];
    const uint8_t ss = p[1 + 2 * count], ah = p[3 + 2 * count] >> 4;
    const bool dc = !progressive || (ss == 0 && ah == 0), ac = !progressive || ss > 0;
    for (size_t i = 0; i < count; ++i) {
      const uint8_t td = p[2 + 2 * i] >> 4, ta = p[2 + 2 * i] & 15;
      if (dc && td <= 3 && !(huffman & (1u << td))) return "DC Huffman table " + std::to_string(td);
      if (ac && ta <= 3 && !(huffman & (1u << (4 + ta)))) return "AC Huffman table " + std::to_string(ta);
      for (int c = 0; c < components; ++c)
        if (component_id[c] == p[1 + 2 * i] && component_quant[c] <= 3 && !(quant & (1u << component_quant[c])))
          return "quantization table " + std::to_string(component_quant[c]);
    }
    return "";
  }
};

}  // namespace

JpegLayout scan_jpeg_segments(ByteView jpeg) {
  JpegLayout out;
  const uint8_t* p = jpeg.data;
  const size_t n = jpeg.size;
  if (n < 2 || p[0] != 0xFF || p[1] != 0xD8) return out;
  size_t pos = 2;
  TableState tables;
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
    if (marker == kDHT) tables.define_huffman(payload, payload_size);
    if (marker == kDQT) tables.define_quant(payload, payload_size);
    if (start_of_frame(marker)) tables.frame(marker, payload, payload_size);
    if (marker == kSOS && out.bad_scan == 0) {
      out.missing_table = tables.missing(payload, payload_size);
      if (!out.missing_table.empty()) out.bad_scan = pos - 2;
    }
    pos += length;
    if (marker == kSOS) pos = skip_entropy_coded(p, pos, n);
  }
  out.end = n;
  return out;
}

}  // namespace clip
