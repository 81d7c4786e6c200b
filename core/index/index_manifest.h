// manifest.json of an index folder: the shard list with sizes and SHA-256,
// totals, the model it was built with, and the tool version.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/util/result.h"

namespace clip {

struct ShardEntry {
  std::string file;      // "shard-00000.bin", relative to the index folder
  uint64_t bytes = 0;
  std::string sha256;    // lowercase hex
  uint32_t count = 0;
  uint32_t version = 1;  // the shard file's format version
  // Version 2: the head (the first head_bytes bytes), which a reader can
  // load alone and check against head_sha256.
  uint64_t head_bytes = 0;
  std::string head_sha256;
};

// manifest.json version 1 lists only version-1 shards; version 2 says each
// shard's version and, for version-2 shards, their head. The writer writes
// the lowest version that describes the index, so older readers keep
// reading indexes they can read.
struct IndexManifest {
  uint32_t version = 1;  // set by serialize_index_manifest from the shards
  std::string tool_version;
  std::string model_name;
  std::string model_fingerprint;
  std::string model_location;  // folder relative to the index, or a URL
  uint32_t dim = 0;
  std::string quantization = "int8";
  bool binary_codes = true;
  uint64_t count = 0;          // sum of shard counts
  std::vector<ShardEntry> shards;
  std::string created_utc;     // ISO 8601
};

Result<IndexManifest> parse_index_manifest(std::string_view json_text);
std::string serialize_index_manifest(const IndexManifest& manifest);

}  // namespace clip
