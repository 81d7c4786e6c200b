// The protobuf wire format, read field by field without a schema: enough to
// walk an ONNX ModelProto and copy the fields it keeps byte for byte
// (graph_prune.h). Every length and varint is checked against the buffer;
// a malformed message is an error naming its byte offset, never a read
// past the end.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/util/bytes.h"
#include "core/util/result.h"

namespace clipsearch::onnx {

enum class WireType : uint8_t { varint = 0, fixed64 = 1, length = 2, fixed32 = 5 };

struct WireField {
  uint32_t number = 0;
  WireType type = WireType::varint;
  uint64_t varint = 0;      // the value of a varint field
  size_t begin = 0;         // the whole field (tag included) is [begin, end)
  size_t end = 0;
  size_t value_begin = 0;   // a length-delimited field's payload [value_begin, end)
};

// The fields of the message occupying [begin, end) of `buf`, in file order.
// `what` names the message in errors ("graph", "node 12").
clip::Result<std::vector<WireField>> read_fields(clip::ByteView buf, size_t begin, size_t end, std::string_view what);

// A length-delimited field's payload as text (a protobuf string).
inline std::string_view field_text(clip::ByteView buf, const WireField& f) {
  return std::string_view(reinterpret_cast<const char*>(buf.data) + f.value_begin, f.end - f.value_begin);
}

// Appends a field header (tag, then the payload's length) for a
// length-delimited field.
void put_length_header(std::string& out, uint32_t number, uint64_t length);

}  // namespace clipsearch::onnx
