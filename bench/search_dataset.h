// The data the native search benchmarks measure on: synthetic CLIP-like
// vectors in shards as `clipsearch index` writes them, the same vectors in
// FAISS's flat float index, the sign bits in FAISS's binary index, queries
// from the same mixture and their exact float top-k.
#pragma once
#include <faiss/IndexBinaryFlat.h>
#include <faiss/IndexFlat.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench/synthetic_embeddings.h"
#include "core/index/shard.h"
#include "core/search/search.h"

namespace bench {

// Everything one size is measured on. The float vectors live only inside
// the FAISS index (2 GB at 1M x 512), the int8 and sign-bit codes only in
// the shards; FAISS's binary index holds a copy of the shards' sign bits.
struct Dataset {
  size_t n = 0, dim = 0, shard_rows = 0;
  std::unique_ptr<faiss::IndexFlatIP> flat;
  std::unique_ptr<faiss::IndexBinaryFlat> bits;
  std::vector<std::shared_ptr<const clip::Shard>> shards;
  clip::Searcher searcher;
  std::vector<float> queries;                   // unit vectors, nq * dim
  std::vector<std::vector<uint8_t>> query_bits; // per query, against shard 0's centre
  std::vector<std::vector<uint32_t>> truth;     // exact float top-k

  const float* vector(size_t row) const { return flat->get_xb() + row * dim; }
  size_t nq() const { return queries.size() / dim; }
};

// Prints "<program>: why" and exits 1.
[[noreturn]] void die(const std::string& why);

Dataset build_dataset(const clip::synthetic::EmbeddingModel& model, size_t n, size_t shard_rows, size_t nq,
                      uint64_t seed, size_t k);

// Row numbers (shard * shard_rows + row) of search hits, for recall.
std::vector<uint32_t> hit_rows(const Dataset& d, const std::vector<clip::Hit>& hits);

// Per-core figures: FAISS on one thread like our search (OpenMP, and
// OpenBLAS, which starts a thread per core unless told otherwise), taking
// its BLAS path from `blas_batch` queries per call.
void faiss_on_one_core(size_t blas_batch);

}  // namespace bench
