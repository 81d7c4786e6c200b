// Exhaustive cosine search over quantized shards: int8 dot products through
// the dispatched SIMD kernel (or, optionally, a sign-bit Hamming first pass)
// nominate candidates, which are then scored exactly against their stored
// vectors; bounded-heap top-k, threshold, self-exclusion.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/index/shard.h"
#include "core/util/result.h"

namespace clip {

// Binary candidates per wanted hit when SearchOptions::oversample is 0:
// x10 up to 200k vectors, then one more per 20k vectors (x50 at 1M). A
// denser index crowds more rows into each query's Hamming neighbourhood, so
// a fixed count loses recall as it grows (clustered 512-d vectors, recall@10
// against exact float: x10 0.973 at 100k but 0.87 at 1M, x50 0.96 at 1M),
// while at that size rescoring costs little next to the scan.
// bench/recall.cpp prints the curve.
constexpr size_t kMinOversample = 10;
constexpr size_t kOversampleStepRows = 20000;
size_t default_oversample(size_t vectors);

struct SearchOptions {
  size_t k = 10;
  float min_score = -1.0f;        // drop hits below this cosine
  std::string exclude_id;         // e.g. the query image itself; "" = none
  // The same by location, for rows whose ids are not at hand (shard heads).
  uint32_t exclude_shard = UINT32_MAX, exclude_row = UINT32_MAX;
  bool binary_first_pass = false; // Hamming pre-selection, then exact rescoring
  size_t oversample = 0;          // binary candidates = k * oversample (0 = default_oversample(size()))
};

struct Hit {
  uint32_t shard = 0;
  uint32_t row = 0;
  float score = 0;  // cosine in [-1, 1]
};

struct RowRef {
  uint32_t shard = 0, row = 0;
  bool operator==(const RowRef& o) const { return shard == o.shard && row == o.row; }
};

// A search stopped between its two passes: the query, prepared, and the
// candidates the first pass nominated for exact scoring, in (shard, row)
// order. For shards loaded as heads, scoring needs these rows' int8 vectors,
// which the caller fetches in between (Searcher::score).
struct SearchPlan {
  std::vector<float> x;          // normalised and rotated, like the stored vectors
  std::vector<int8_t> codes;     // x quantized
  float scale = 0;
  uint32_t skip_shard = UINT32_MAX, skip_row = UINT32_MAX;  // the excluded row
  size_t k = 0;
  float min_score = -1.0f;
  std::vector<RowRef> candidates;
};

// Results are sorted by score, best first; equal scores by (shard, row), so
// the same index and query always give the same list.
class Searcher {
 public:
  // Shards must share dim and model fingerprint, and ids must be unique
  // across them; they can arrive one by one (e.g. as downloads finish).
  // A refused shard leaves the searcher as it was. A shard head (not
  // whole()) must have sign bits: it is always searched by them, and its ids
  // are not known here.
  Status add_shard(std::shared_ptr<const Shard> shard);
  // Shard i, a head, replaced by its whole shard (the same rows, now with
  // int8 vectors and records): its ids join the index. Refused, leaving the
  // head in place, when it is not the same shard or an id is taken.
  Status complete_shard(uint32_t i, std::shared_ptr<const Shard> whole);
  size_t size() const;  // total vectors
  uint32_t dim() const { return dim_; }
  const std::string& model_fingerprint() const { return fingerprint_; }
  const Shard& shard(uint32_t i) const { return *shards_[i]; }
  const std::shared_ptr<const Shard>& shared_shard(uint32_t i) const { return shards_[i]; }
  size_t shard_count() const { return shards_.size(); }

  // `query` need not be normalised; it is normalised and quantized here.
  // Shards without sign-bit codes are scored exhaustively in a binary search.
  Result<std::vector<Hit>> search(const float* query, size_t dim, const SearchOptions& opts) const;
  // The same in two steps: plan() runs the first pass, score() the exact
  // scoring; `row_codes` gives the int8 vector of a candidate in a shard
  // head, or nullptr when it is not at hand (that row is not scored, and
  // counted in *unscored).
  Result<SearchPlan> plan(const float* query, size_t dim, const SearchOptions& opts) const;
  using RowCodes = std::function<const int8_t*(uint32_t shard, uint32_t row)>;
  std::vector<Hit> score(const SearchPlan& plan, const RowCodes& row_codes, size_t* unscored = nullptr) const;
  // `count` queries at once (query i at queries + i * dim): each row is read
  // once per block of queries and scored for all of them with the block
  // kernel, so a batch costs far less than its queries one by one. Returns
  // for each query exactly what search() returns for it. `exclude_ids`, when
  // not empty, holds one id per query to leave out (e.g. the query's own row
  // in an all-pairs scan) in place of opts.exclude_id. Needs whole shards
  // (a shard head's int8 rows are not at hand).
  Result<std::vector<std::vector<Hit>>> search_batch(const float* queries, size_t count, size_t dim,
                                                      const SearchOptions& opts,
                                                      const std::vector<std::string>& exclude_ids = {}) const;
  // Finds the row holding an id (for --id queries and "similar").
  bool find_id(const std::string& id, uint32_t* shard, uint32_t* row) const;
  // The id of the first image whose file had these bytes (SHA-256), or "":
  // how a query photo that is itself indexed is recognised. A linear scan,
  // done once per image query.
  std::string find_content(const std::array<uint8_t, 32>& sha256) const;

 private:
  struct Location {
    uint32_t shard, row;
  };
  Status add_ids(const Shard& s, uint32_t si);
  std::vector<std::shared_ptr<const Shard>> shards_;
  uint32_t dim_ = 0;
  std::string fingerprint_;
  size_t size_ = 0;
  // Keys view the ids inside the shards, which are immutable and kept alive here.
  std::unordered_map<std::string_view, Location> ids_;
};

}  // namespace clip
