// NumPy's .npy format (numpy.lib.format, NEP 1): a magic string, a version,
// a header length, a Python dict literal naming dtype, order and shape,
// padded so the data starts on a 64-byte boundary, then the raw array. Only
// what embeddings need: 2-D little-endian float16/32/64 arrays in C order.
// Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/util/bytes.h"
#include "core/util/result.h"

namespace clip {

enum class NpyType { F16, F32, F64 };

struct NpyMatrix {
  uint64_t rows = 0, cols = 0;
  NpyType type = NpyType::F32;
  uint64_t data_offset = 0;  // where row 0 starts in the file
  size_t item_size() const { return type == NpyType::F16 ? 2 : type == NpyType::F32 ? 4 : 8; }
};

// Checks the magic, version (1.0, 2.0, 3.0), header and that the file holds
// exactly rows x cols items after it. Errors name the file and what was found.
Result<NpyMatrix> parse_npy(ByteView file, const std::string& name);
// Row `row` of a parsed file as floats (cols of them).
void npy_row(ByteView file, const NpyMatrix& m, uint64_t row, float* out);

// The bytes of a version 1.0 header for a rows x cols C-order array of
// `type`, padded to 64 bytes; the data follows it directly.
std::vector<uint8_t> npy_header(uint64_t rows, uint64_t cols, NpyType type);

// IEEE 754 binary16, round to nearest even (overflow to infinity, subnormals kept).
uint16_t float_to_half(float x);
float half_to_float(uint16_t h);

}  // namespace clip
