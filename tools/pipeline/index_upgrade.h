// Rewrites an index's shards in the current shard format version, in place
// and crash-safely: each shard's rows are copied verbatim into a new file
// (written to a temporary name, fsync'ed and renamed), then manifest.json is
// replaced in one rename, then the old files are removed. A run killed at any
// point leaves the old index or the new one, and the next run finishes.
#pragma once
#include <cstdint>
#include <string>

#include "core/util/result.h"

namespace clipsearch {

struct UpgradeSummary {
  size_t shards = 0;     // shards in the index
  size_t rewritten = 0;  // written by this run
  size_t reused = 0;     // already written by an interrupted earlier run
  uint64_t count = 0;
  bool already = false;  // nothing to do: every shard was in the target version
};

clip::Result<UpgradeSummary> upgrade_index(const std::string& dir, uint32_t version);

}  // namespace clipsearch
