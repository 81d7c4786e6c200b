// Exhaustive cosine search over quantized shards: int8 dot products through
// the dispatched SIMD kernel, bounded-heap top-k, threshold, self-exclusion,
// optional sign-bit first pass with int8 rescoring.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/index/shard.h"
#include "core/util/result.h"

namespace clip {

struct SearchOptions {
  size_t k = 10;
  float min_score = -1.0f;        // drop hits below this cosine
  std::string exclude_id;         // e.g. the query image itself; "" = none
  bool binary_first_pass = false; // hamming pre-selection, then int8 rescoring
  size_t oversample = 0;          // binary candidates = k * oversample (0 = default)
};

struct Hit {
  uint32_t shard = 0;
  uint32_t row = 0;
  float score = 0;  // cosine in [-1, 1]
};

class Searcher {
 public:
  // Shards must share dim and model fingerprint; they can arrive one by one.
  Status add_shard(std::shared_ptr<const Shard> shard);
  size_t size() const;  // total vectors
  uint32_t dim() const { return dim_; }
  const std::string& model_fingerprint() const { return fingerprint_; }
  const Shard& shard(uint32_t i) const { return *shards_[i]; }
  size_t shard_count() const { return shards_.size(); }

  // `query` need not be normalised; it is normalised and quantized here.
  Result<std::vector<Hit>> search(const float* query, size_t dim, const SearchOptions& opts) const;
  // Finds the row holding an id (for --id queries and "similar").
  bool find_id(const std::string& id, uint32_t* shard, uint32_t* row) const;

 private:
  std::vector<std::shared_ptr<const Shard>> shards_;
  uint32_t dim_ = 0;
  std::string fingerprint_;
};

}  // namespace clip
