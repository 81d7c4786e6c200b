#include "core/util/npy.h"

#include <cstring>

#include "core/util/byte_reader.h"

namespace clip {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;
constexpr size_t kAlign = 64;
constexpr size_t kMaxHeader = 65536;  // numpy refuses longer headers too

// A tiny reader for the one dict literal numpy writes:
//   {'descr': '<f4', 'fortran_order': False, 'shape': (1000, 512), }
class DictParser {
 public:
  explicit DictParser(std::string_view s) : s_(s) {}

  bool expect(char c) {
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool peek(char c) {
    skip_space();
    return pos_ < s_.size() && s_[pos_] == c;
  }
  bool string(std::string* out) {
    skip_space();
    if (pos_ >= s_.size() || (s_[pos_] != '\'' && s_[pos_] != '"')) return false;
    const char quote = s_[pos_++];
    const size_t end = s_.find(quote, pos_);
    if (end == std::string_view::npos || end - pos_ > 64) return false;
    *out = std::string(s_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return true;
  }
  bool word(std::string* out) {
    skip_space();
    size_t end = pos_;
    while (end < s_.size() && ((s_[end] >= 'A' && s_[end] <= 'Z') || (s_[end] >= 'a' && s_[end] <= 'z'))) ++end;
    if (end == pos_) return false;
    *out = std::string(s_.substr(pos_, end - pos_));
    pos_ = end;
    return true;
  }
  bool number(uint64_t* out) {
    skip_space();
    size_t end = pos_;
    uint64_t v = 0;
    while (end < s_.size() && s_[end] >= '0' && s_[end] <= '9') {
      if (v > (UINT64_MAX - 9) / 10) return false;
      v = v * 10 + uint64_t(s_[end] - '0');
      ++end;
    }
    if (end == pos_) return false;
    pos_ = end;
    *out = v;
    return true;
  }
  bool at_end() {
    skip_space();
    return pos_ == s_.size();
  }

 private:
  void skip_space() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t')) ++pos_;
  }
  std::string_view s_;
  size_t pos_ = 0;
};

struct Header {
  std::string descr;
  bool fortran = false;
  std::vector<uint64_t> shape;
  bool has_descr = false, has_order = false, has_shape = false;
};

Result<Header> parse_header(std::string_view text, const std::string& name) {
  auto bad = [&](const std::string& what) {
    return make_error(name + ": .npy header " + what + " (header: " + std::string(text.substr(0, 120)) + ")");
  };
  DictParser p(text);
  Header h;
  if (!p.expect('{')) return bad("does not start with '{'");
  while (!p.peek('}')) {
    std::string key;
    if (!p.string(&key) || !p.expect(':')) return bad("has a key that is not a quoted string followed by ':'");
    if (key == "descr") {
      if (!p.string(&h.descr)) return bad("'descr' is not a string");
      h.has_descr = true;
    } else if (key == "fortran_order") {
      std::string w;
      if (!p.word(&w) || (w != "True" && w != "False")) return bad("'fortran_order' is not True or False");
      h.fortran = w == "True";
      h.has_order = true;
    } else if (key == "shape") {
      if (!p.expect('(')) return bad("'shape' is not a tuple");
      while (!p.peek(')')) {
        uint64_t n;
        if (!p.number(&n)) return bad("'shape' holds something other than non-negative integers");
        h.shape.push_back(n);
        if (h.shape.size() > 8) return bad("'shape' has too many dimensions");
        if (!p.expect(',')) break;
      }
      if (!p.expect(')')) return bad("'shape' tuple is not closed");
      h.has_shape = true;
    } else {
      return bad("has an unknown key '" + key + "'");
    }
    if (!p.expect(',')) break;
  }
  if (!p.expect('}') || !p.at_end()) return bad("does not end with '}'");
  if (!h.has_descr || !h.has_order || !h.has_shape) return bad("lacks one of 'descr', 'fortran_order', 'shape'");
  return h;
}

}  // namespace

Result<NpyMatrix> parse_npy(ByteView file, const std::string& name) {
  if (file.size < kMagicSize + 4 || std::memcmp(file.data, kMagic, kMagicSize) != 0)
    return make_error(name + ": not a .npy file (it does not start with \\x93NUMPY)");
  const uint8_t major = file.data[6], minor = file.data[7];
  if (minor != 0 || major < 1 || major > 3)
    return make_error(name + ": .npy version " + std::to_string(major) + "." + std::to_string(minor) +
                      " is not 1.0, 2.0 or 3.0");
  size_t header_at = 10;
  uint64_t header_len = uint64_t(file.data[8]) | uint64_t(file.data[9]) << 8;
  if (major >= 2) {
    if (file.size < 12) return make_error(name + ": .npy file ends inside its header length");
    header_len = load_le32(file.data + 8);
    header_at = 12;
  }
  if (header_len > kMaxHeader || header_at + header_len > file.size)
    return make_error(name + ": .npy header of " + std::to_string(header_len) + " bytes at offset " +
                      std::to_string(header_at) + " does not fit in the file of " + std::to_string(file.size) +
                      " bytes");
  auto h = parse_header(std::string_view(reinterpret_cast<const char*>(file.data + header_at), size_t(header_len)),
                        name);
  CLIP_TRY(h);
  NpyMatrix m;
  if (h->descr == "<f2") m.type = NpyType::F16;
  else if (h->descr == "<f4") m.type = NpyType::F32;
  else if (h->descr == "<f8") m.type = NpyType::F64;
  else
    return make_error(name + ": .npy dtype '" + h->descr +
                      "' is not a little-endian float ('<f2', '<f4' or '<f8'); save with .astype('<f4')");
  if (h->fortran) return make_error(name + ": .npy array is in Fortran order; save it with np.ascontiguousarray");
  if (h->shape.size() != 2)
    return make_error(name + ": .npy array has " + std::to_string(h->shape.size()) +
                      " dimensions; embeddings are one row per image (2 dimensions)");
  m.rows = h->shape[0];
  m.cols = h->shape[1];
  m.data_offset = header_at + header_len;
  const uint64_t left = file.size - m.data_offset;
  const std::string shape = "(" + std::to_string(m.rows) + ", " + std::to_string(m.cols) + ")";
  const uint64_t row_bytes = m.cols <= UINT64_MAX / 8 ? m.cols * m.item_size() : 0;
  if (m.cols > UINT64_MAX / 8 || (row_bytes != 0 && m.rows > UINT64_MAX / row_bytes))
    return make_error(name + ": .npy shape " + shape + " is too large");
  const uint64_t need = m.rows * row_bytes;
  if (need != left)
    return make_error(name + ": .npy shape " + shape + " needs " + std::to_string(need) +
                      " bytes of data but the file has " + std::to_string(left));
  return m;
}

void npy_row(ByteView file, const NpyMatrix& m, uint64_t row, float* out) {
  const uint8_t* p = file.data + m.data_offset + row * m.cols * m.item_size();
  for (uint64_t i = 0; i < m.cols; ++i) {
    switch (m.type) {
      case NpyType::F16: out[i] = half_to_float(uint16_t(p[2 * i] | p[2 * i + 1] << 8)); break;
      case NpyType::F32: out[i] = load_le_f32(p + 4 * i); break;
      case NpyType::F64: {
        const uint64_t u = load_le64(p + 8 * i);
        double d;
        std::memcpy(&d, &u, 8);
        out[i] = float(d);
        break;
      }
    }
  }
}

std::vector<uint8_t> npy_header(uint64_t rows, uint64_t cols, NpyType type) {
  const char* descr = type == NpyType::F16 ? "<f2" : type == NpyType::F32 ? "<f4" : "<f8";
  std::string dict = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': (" +
                     std::to_string(rows) + ", " + std::to_string(cols) + "), }";
  // Pad with spaces and end with '\n' so that magic + version + length +
  // dict is a multiple of 64 bytes, as numpy writes it.
  const size_t fixed = kMagicSize + 2 + 2;
  size_t total = fixed + dict.size() + 1;
  total = (total + kAlign - 1) / kAlign * kAlign;
  dict.append(total - fixed - dict.size() - 1, ' ');
  dict += '\n';
  std::vector<uint8_t> out(kMagic, kMagic + kMagicSize);
  out.push_back(1);
  out.push_back(0);
  out.push_back(uint8_t(dict.size() & 0xFF));
  out.push_back(uint8_t(dict.size() >> 8));
  out.insert(out.end(), dict.begin(), dict.end());
  return out;
}

uint16_t float_to_half(float x) {
  uint32_t f;
  std::memcpy(&f, &x, 4);
  const uint32_t sign = (f >> 16) & 0x8000u;
  const uint32_t exp = (f >> 23) & 0xFFu;
  uint32_t mant = f & 0x7FFFFFu;
  if (exp == 0xFF) return uint16_t(sign | 0x7C00u | (mant ? 0x200u : 0));  // inf, NaN
  int e = int(exp) - 127 + 15;
  if (e >= 31) return uint16_t(sign | 0x7C00u);  // overflow
  if (e <= 0) {  // subnormal half (or zero)
    if (e < -10) return uint16_t(sign);
    mant |= 0x800000u;
    const int shift = 14 - e;
    uint32_t half = mant >> shift;
    const uint32_t rest = mant & ((1u << shift) - 1), mid = 1u << (shift - 1);
    if (rest > mid || (rest == mid && (half & 1))) ++half;
    return uint16_t(sign | half);
  }
  uint32_t half = uint32_t(e) << 10 | mant >> 13;
  const uint32_t rest = mant & 0x1FFFu;
  if (rest > 0x1000u || (rest == 0x1000u && (half & 1))) ++half;  // may carry into the exponent: still right
  return uint16_t(sign | half);
}

float half_to_float(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1Fu;
  uint32_t mant = h & 0x3FFu;
  uint32_t f;
  if (exp == 0) {
    if (mant == 0) {
      f = sign;
    } else {  // subnormal: normalise
      int e = -1;
      do {
        ++e;
        mant <<= 1;
      } while (!(mant & 0x400u));
      f = sign | uint32_t(127 - 15 - e) << 23 | (mant & 0x3FFu) << 13;
    }
  } else if (exp == 31) {
    f = sign | 0x7F800000u | mant << 13;
  } else {
    f = sign | (exp - 15 + 127) << 23 | mant << 13;
  }
  float out;
  std::memcpy(&out, &f, 4);
  return out;
}

}  // namespace clip
