#include "tools/onnx/protobuf_wire.h"

#include <string>

namespace clipsearch::onnx {
namespace {

// At most 10 bytes; false on a truncated or over-long varint.
bool read_varint(clip::ByteView buf, size_t end, size_t* pos, uint64_t* value) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (*pos >= end) return false;
    const uint8_t b = buf.data[(*pos)++];
    v |= uint64_t(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *value = v;
      return true;
    }
  }
  return false;
}

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(char(uint8_t(v) | 0x80));
    v >>= 7;
  }
  out.push_back(char(v));
}

}  // namespace

clip::Result<std::vector<WireField>> read_fields(clip::ByteView buf, size_t begin, size_t end, std::string_view what) {
  std::vector<WireField> fields;
  if (begin > end || end > buf.size)
    return clip::make_error(std::string(what) + ": bytes " + std::to_string(begin) + "-" + std::to_string(end) +
                            " are outside the file (" + std::to_string(buf.size) + " bytes)");
  auto bad = [&](size_t at, const std::string& why) {
    return clip::make_error(std::string(what) + ": malformed protobuf at byte " + std::to_string(at) + ": " + why);
  };
  for (size_t pos = begin; pos < end;) {
    WireField f;
    f.begin = pos;
    uint64_t tag = 0;
    if (!read_varint(buf, end, &pos, &tag)) return bad(f.begin, "truncated field tag");
    const uint64_t number = tag >> 3;
    if (number == 0 || number > 0x1fffffff) return bad(f.begin, "field number " + std::to_string(number));
    f.number = uint32_t(number);
    switch (tag & 7) {
      case 0:
        f.type = WireType::varint;
        if (!read_varint(buf, end, &pos, &f.varint)) return bad(pos, "truncated varint");
        break;
      case 1:
        f.type = WireType::fixed64;
        if (end - pos < 8) return bad(pos, "truncated 64-bit value");
        pos += 8;
        break;
      case 2: {
        f.type = WireType::length;
        uint64_t length = 0;
        if (!read_varint(buf, end, &pos, &length)) return bad(pos, "truncated length");
        if (length > end - pos)
          return bad(f.begin, "field " + std::to_string(number) + " says " + std::to_string(length) + " bytes, " +
                                  std::to_string(end - pos) + " are left");
        f.value_begin = pos;
        pos += size_t(length);
        break;
      }
      case 5:
        f.type = WireType::fixed32;
        if (end - pos < 4) return bad(pos, "truncated 32-bit value");
        pos += 4;
        break;
      default:
        return bad(f.begin, "wire type " + std::to_string(tag & 7) + " (groups are not used by ONNX)");
    }
    f.end = pos;
    fields.push_back(f);
  }
  return fields;
}

void put_length_header(std::string& out, uint32_t number, uint64_t length) {
  put_varint(out, uint64_t(number) << 3 | 2);
  put_varint(out, length);
}

}  // namespace clipsearch::onnx
