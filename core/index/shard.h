// Shard file: one little-endian binary file holding a block of quantized
// embeddings and their metadata. Format spec: docs/FORMAT.md.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/bytes.h"
#include "core/util/result.h"

namespace clip {

// The version the writer writes unless told otherwise; readers read 1 and 2.
// Version 2 puts what a sign-bit first pass needs (centre, scales, sign bits,
// per-row checksums, record offsets) in one head at the start of the file,
// so a reader can load the head alone and fetch rows as queries need them.
constexpr uint32_t kShardVersion = 2;
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

// Version 2's 32-bit lookup keys (the first 4 bytes of a SHA-256, little-
// endian): a row whose key matches is a candidate, its record decides.
uint32_t id_key(std::string_view id);                            // of SHA-256(id)
uint32_t content_key(const std::array<uint8_t, 32>& content_sha256);

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
Result<std::vector<uint8_t>> encode_shard(const ShardContents& contents, uint32_t version = kShardVersion);

class Shard;
// A new shard holding the given rows of `source`, in that order, with their
// stored codes, scales, sign bits and the source's centre copied verbatim:
// for rewriting a shard without some rows, with no second rounding.
Result<std::vector<uint8_t>> encode_shard_rows(const Shard& source, const std::vector<uint32_t>& rows,
                                               uint32_t version = kShardVersion);
// All rows of `source` in another format version, verbatim.
Result<std::vector<uint8_t>> upgrade_shard(const Shard& source, uint32_t version = kShardVersion);

// Where a part of a shard file lies, and the CRC-32C of its bytes.
struct FileSpan {
  uint64_t offset = 0, length = 0;
  uint32_t crc = 0;
};

// A version-2 keys section, checked: id_key and content_key of every row.
struct ShardKeys {
  std::vector<uint32_t> id, content;
};

// A validated, read-only shard. Owns its bytes; every offset and length was
// checked against the buffer before use: magic, version, sizes, section
// bounds and alignment, every CRC, every metadata length, every scale.
// Row accessors take row < count().
//
// A shard is whole (parse: the file) or a head (parse_head: a version-2
// file's first head_size() bytes). A head has the centre, scales, sign bits
// and the checks of every row; its int8 rows, keys and records come later,
// checked one by one (check_vector, parse_record, parse_keys).
class Shard {
 public:
  // `name_for_errors` (usually the file name) starts every error message.
  static Result<Shard> parse(std::vector<uint8_t> bytes, const std::string& name_for_errors);
  static Result<Shard> parse_head(std::vector<uint8_t> bytes, const std::string& name_for_errors);

  const std::string& name() const { return name_; }
  uint32_t version() const { return version_; }
  bool whole() const { return whole_; }
  const std::string& model_fingerprint() const { return fingerprint_; }
  uint32_t dim() const { return dim_; }
  uint32_t count() const { return count_; }
  bool has_binary_codes() const { return has_binary_; }
  uint64_t file_size() const { return file_size_; }
  uint64_t head_size() const { return head_size_; }  // 0 in version 1

  // The stored vector of a row, in rotated space, is
  // centre() + scale(row) * vector(row).
  const std::vector<float>& centre() const { return centre_; }
  // Whole shards only. Rows are contiguous: vector(r + 1) == vector(r) + dim().
  const int8_t* vector(uint32_t row) const {
    return reinterpret_cast<const int8_t*>(bytes_.data() + codes_at_) + size_t(row) * dim_;
  }
  float scale(uint32_t row) const;
  const uint8_t* binary_code(uint32_t row) const { return bytes_.data() + binary_at_ + size_t(row) * (dim_ / 8); }
  // Whole shards only.
  const ImageRecord& record(uint32_t row) const { return records_[row]; }
  // Dequantized, L2-normalised vector of a row (for "similar"): whole
  // shards; for a head, from the row's codes.
  std::vector<float> embedding(uint32_t row) const { return embedding(row, vector(row)); }
  std::vector<float> embedding(uint32_t row, const int8_t* codes) const;
  size_t byte_size() const { return bytes_.size(); }

  // Version 2: where row data lies in the file, and its checks.
  uint64_t vector_offset(uint32_t row) const { return vectors_.offset + uint64_t(row) * dim_; }
  FileSpan record_span(uint32_t row) const;
  FileSpan keys_span() const { return keys_; }
  // `codes` (dim() bytes) are row's int8 vector: its CRC matches the head's.
  Status check_vector(uint32_t row, const uint8_t* codes) const;
  // `bytes` are row's metadata record: its CRC matches, and it parses.
  Result<ImageRecord> parse_record(uint32_t row, ByteView bytes) const;
  // `bytes` are the keys section: its CRC matches.
  Result<ShardKeys> parse_keys(ByteView bytes) const;

 private:
  // Offsets, not pointers, into bytes_: a copied or moved Shard stays valid.
  std::vector<uint8_t> bytes_;
  std::string name_;
  std::string fingerprint_;
  std::vector<float> centre_;
  uint32_t version_ = 0;
  bool whole_ = false;
  uint32_t dim_ = 0, count_ = 0;
  uint64_t file_size_ = 0, head_size_ = 0;
  size_t codes_at_ = 0;   // count * dim int8 (whole shards)
  size_t scales_at_ = 0;  // count float32 LE, possibly unaligned in memory
  size_t binary_at_ = 0;  // count * dim / 8 bytes when has_binary_
  size_t checks_at_ = 0;  // version 2: u32 vector CRCs, then u32 record CRCs
  size_t offsets_at_ = 0; // version 2: u32 record offsets, then u32 lengths
  FileSpan vectors_, metadata_, keys_;  // version 2, in file offsets
  bool has_binary_ = false;
  std::vector<ImageRecord> records_;

  friend class ShardParser;
};

}  // namespace clip
