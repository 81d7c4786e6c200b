// Joins index folders built with --part I/N (or any indexes of one model and
// disjoint ids) into one: shards are copied byte for byte under new numbers,
// thumbnails copied, reports concatenated, then the manifest is written.
#pragma once
#include <string>
#include <vector>

#include "core/util/result.h"

namespace clipsearch {

struct MergeSummary {
  size_t parts = 0;
  size_t shards = 0;
  uint64_t count = 0;
};

// `force` replaces an index already in `out`. Fails, writing no manifest,
// when parts differ in model or dim or share an id.
clip::Result<MergeSummary> merge_indexes(const std::string& out, const std::vector<std::string>& parts, bool force);

}  // namespace clipsearch
