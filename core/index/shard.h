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

// Serialises a shard to bytes (int8 + per-vector scale, sign bits, metadata,
// per-section CRC32C).
Result<std::vector<uint8_t>> encode_shard(const ShardContents& contents);

// A validated, read-only shard. Owns its bytes; every offset and length was
// checked against the buffer before use.
class Shard {
 public:
  static Result<Shard> parse(std::vector<uint8_t> bytes, const std::string& name_for_errors);

  const std::string& model_fingerprint() const { return fingerprint_; }
  uint32_t dim() const { return dim_; }
  uint32_t count() const { return count_; }
  bool has_binary_codes() const { return binary_ != nullptr; }

  const int8_t* vector(uint32_t row) const { return codes_ + size_t(row) * dim_; }
  float scale(uint32_t row) const;
  const uint8_t* binary_code(uint32_t row) const { return binary_ + size_t(row) * (dim_ / 8); }
  const ImageRecord& record(uint32_t row) const { return records_[row]; }
  // Dequantized, L2-normalised vector of a row (for "similar" queries).
  std::vector<float> embedding(uint32_t row) const;
  size_t byte_size() const { return bytes_.size(); }

 private:
  std::vector<uint8_t> bytes_;
  std::string fingerprint_;
  uint32_t dim_ = 0, count_ = 0;
  const int8_t* codes_ = nullptr;
  const uint8_t* scales_ = nullptr;  // float32 LE, possibly unaligned
  const uint8_t* binary_ = nullptr;
  std::vector<ImageRecord> records_;
};

}  // namespace clip
