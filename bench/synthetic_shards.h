// Synthetic embeddings (bench/synthetic_embeddings.h) cut into shard files
// exactly as `clipsearch index` writes them (core's encode_shard), for the
// search benchmarks native and in wasm. Row r of the whole set has id
// std::to_string(r); shard s holds rows [s * shard_rows, (s + 1) * shard_rows).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "bench/synthetic_embeddings.h"
#include "core/util/result.h"

namespace bench {

struct SyntheticShard {
  size_t index = 0;             // shard number
  size_t first_row = 0;
  std::vector<float> embeddings;  // rows * dim, unit vectors
  std::vector<uint8_t> bytes;     // the encoded shard file
};

// Generates and encodes one shard at a time (so 1M x 512 floats need not be
// held twice) and hands each to `each`, in order. Deterministic in `seed`.
// `fingerprint` ties the shards to a model (the page refuses an index whose
// model it does not load).
clip::Status for_each_synthetic_shard(const clip::synthetic::EmbeddingModel& model, size_t n, size_t shard_rows,
                                      uint64_t seed, const std::function<clip::Status(SyntheticShard&)>& each,
                                      const std::string& fingerprint = "synthetic");

// Queries drawn from the same mixture, independent of the base rows.
std::vector<float> synthetic_queries(const clip::synthetic::EmbeddingModel& model, size_t nq, uint64_t seed);

}  // namespace bench
