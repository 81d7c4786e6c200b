// Near-duplicate groups over an index: every image searched against every
// other with the batched search, pairs at or above a cosine threshold joined
// into groups (connected components), and a keeper suggested in each group.
// The CLI (`clipsearch duplicates`) and the page's Duplicates view both call
// these; the scan runs over a range of rows so callers can spread it over
// threads or report progress between ranges.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/search/search.h"
#include "core/util/result.h"

namespace clip {

// The cosine from which two images count as near-duplicates by default.
// Chosen on the edit benchmark (bench/duplicates_quality.py, BENCHMARKS.md
// "Near-duplicates"): the demo model's best F1 over its threshold sweep.
constexpr float kDefaultDuplicateThreshold = 0.985f;
// Neighbours each image keeps at most. Members of a larger group still join
// it: each links to its closest others, and the links connect the group.
constexpr size_t kDuplicateNeighbours = 32;

struct NearPair {
  RowRef a, b;  // a was the query, b a row it found
  float score;  // cosine
};

// Every row is compared with every other, so every shard must be whole: a
// shard head (a tiered index, docs/FORMAT.md) does not hold its rows. An
// error naming the first head, else ok.
Status require_whole_shards(const Searcher& index);

// Rows [begin, end) of the index, counted over the shards in order, each
// searched against the whole index (its own row left out): every other row
// at cosine >= threshold, at most `neighbours` per query.
Result<std::vector<NearPair>> near_duplicate_pairs(const Searcher& index, size_t begin, size_t end, float threshold,
                                                   size_t neighbours = kDuplicateNeighbours);

struct DuplicateMember {
  RowRef at;
  float score;  // cosine with the keeper (1 for the keeper itself)
};

struct DuplicateGroup {
  RowRef keeper;
  std::vector<DuplicateMember> members;  // the keeper first, then by score, best first
};

// Joins pairs into groups of two or more (whole shards: require_whole_shards). The keeper is the member with the
// most pixels (width x height as indexed): an edit such as a re-encode,
// resize or crop never adds resolution, so the largest copy is the best
// guess for the original, and the index knows sizes without opening any
// image. Among copies of the same size (re-encodes, colour edits, marks)
// the one closest to all the others (the group's medoid) is kept, then the
// first in index order. Which of several same-size copies is the original
// no embedding tells reliably (BENCHMARKS.md "Near-duplicates"): the rule
// promises a full-size copy, not the original file. Groups come largest first, then in the index order of
// their first members.
std::vector<DuplicateGroup> group_duplicates(const Searcher& index, const std::vector<NearPair>& pairs);

}  // namespace clip
