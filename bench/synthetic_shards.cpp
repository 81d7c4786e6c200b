#include "bench/synthetic_shards.h"

#include "core/index/shard.h"

namespace bench {

clip::Status for_each_synthetic_shard(const clip::synthetic::EmbeddingModel& model, size_t n, size_t shard_rows,
                                      uint64_t seed, const std::function<clip::Status(SyntheticShard&)>& each,
                                      const std::string& fingerprint) {
  if (shard_rows == 0) return clip::make_error("synthetic shards: shard_rows is 0");
  for (size_t first = 0, index = 0; first < n; first += shard_rows, ++index) {
    const size_t rows = std::min(shard_rows, n - first);
    clip::ShardContents c;
    c.model_fingerprint = fingerprint;
    c.dim = uint32_t(model.dim());
    c.records.resize(rows);
    for (size_t r = 0; r < rows; ++r) c.records[r].id = std::to_string(first + r);
    // One seed per shard: shard s is the same whatever n is.
    c.embeddings = model.sample(rows, seed * 1000003 + index);
    auto bytes = clip::encode_shard(c);
    if (!bytes) return clip::make_error("synthetic shard " + std::to_string(index) + ": " + bytes.message());
    SyntheticShard s;
    s.index = index;
    s.first_row = first;
    s.embeddings = std::move(c.embeddings);
    s.bytes = std::move(*bytes);
    if (auto st = each(s); !st) return st;
  }
  return clip::ok_status();
}

std::vector<float> synthetic_queries(const clip::synthetic::EmbeddingModel& model, size_t nq, uint64_t seed) {
  return model.sample(nq, seed * 1000003 + 999999);  // a stream no shard uses
}

}  // namespace bench
