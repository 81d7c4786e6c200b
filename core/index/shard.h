// Shard file: one little-endian binary file holding a block of quantized
// embeddings and their metadata. Format spec: docs/FORMAT.md.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/util/bytes.h"
#include "core/util/result.h"

namespace clip {

constexpr uint32_t kShardVersion = 1;
// Limits the writer enforces and the reader checks. dim must also be a
// multiple of 8 (sign-bit codes pack 8 dimensions per byte).
constexpr uint32_t kShardMaxDim = 4096;
constexpr uint32_t kShardMaxCount = 1u << 24;
constexpr uint32_t kShardMaxFingerprint = 256;  // bytes
constexpr uint32_t kShardMaxString = 65536;     // bytes, per metadata string

struct ImageRecord {
  std::string id;        // unique within an index
  std::string caption;
  std::string source;    // path or URL as given in the input
  std::string thumb;     // path relative to the index folder ("" when none)
  uint32_t width = 0;    // original image size
  uint32_t height = 0;
  std::array<uint8_t, 32> content_sha256{};  // of the source file's bytes
};

// One embedding per record, L2-normalised float; the writer quantizes.
struct ShardContents {
  std::string model_fingerprint;
  uint32_t dim = 0;
  bool with_binary_codes = true;
  std::vector<ImageRecord> records;
  std::vector<float> embeddings;  // records.size() * dim
};

// Serialises a shard to bytes. Each embedding is normalised and rotated
// (core/search/rotation.h); the shard stores the mean of those (the centre),
// each one minus the centre as int8 + per-vector scale, sign bits of the same
// differences, metadata, per-section CRC32C. Centring removes the direction
// all CLIP embeddings share and the rotation spreads out dimensions with
// large values, so the int8 steps and the sign bits spend their resolution on
// what tells images apart.
Result<std::vector<uint8_t>> encode_shard(const ShardContents& contents);

class Shard;
// A new shard holding the given rows of `source`, in that order, with their
// stored codes, scales, sign bits and the source's centre copied verbatim:
// for rewriting a shard without some rows, with no second rounding.
Result<std::vector<uint8_t>> encode_shard_rows(const Shard& source, const std::vector<uint32_t>& rows);

// A validated, read-only shard. Owns its bytes; every offset and length was
// checked against the buffer before use: magic, version, sizes, section
// bounds and alignment, every CRC, every metadata length, every scale.
// Row accessors take row < count().
class Shard {
 public:
  // `name_for_errors` (usually the file name) starts every error message.
  static Result<Shard> parse(std::vector<uint8_t> bytes, const std::string& name_for_errors);

  const std::string& name() const { return name_; }
  const std::string& model_fingerprint() const { return fingerprint_; }
  uint32_t dim() const { return dim_; }
  uint32_t count() const { return count_; }
  bool has_binary_codes() const { return has_binary_; }

  // The stored vector of a row, in rotated space, is
  // centre() + scale(row) * vector(row).
  const std::vector<float>& centre() const { return centre_; }
  // Rows are contiguous: vector(r + 1) == vector(r) + dim().
  const int8_t* vector(uint32_t row) const {
    return reinterpret_cast<const int8_t*>(bytes_.data() + codes_at_) + size_t(row) * dim_;
  }
  float scale(uint32_t row) const;
  const uint8_t* binary_code(uint32_t row) const { return bytes_.data() + binary_at_ + size_t(row) * (dim_ / 8); }
  const ImageRecord& record(uint32_t row) const { return records_[row]; }
  // Dequantized, L2-normalised vector of a row (for "similar" queries).
  std::vector<float> embedding(uint32_t row) const;
  size_t byte_size() const { return bytes_.size(); }

 private:
  // Offsets, not pointers, into bytes_: a copied or moved Shard stays valid.
  std::vector<uint8_t> bytes_;
  std::string name_;
  std::string fingerprint_;
  std::vector<float> centre_;
  uint32_t dim_ = 0, count_ = 0;
  size_t codes_at_ = 0;   // count * dim int8
  size_t scales_at_ = 0;  // count float32 LE, possibly unaligned in memory
  size_t binary_at_ = 0;  // count * dim / 8 bytes when has_binary_
  bool has_binary_ = false;
  std::vector<ImageRecord> records_;

  friend class ShardParser;
};

}  // namespace clip
