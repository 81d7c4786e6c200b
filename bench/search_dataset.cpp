#include "bench/search_dataset.h"

#include <dlfcn.h>
#include <faiss/utils/distances.h>
#include <omp.h>

#include <cstdio>
#include <cstdlib>

#include "bench/exact_search.h"
#include "bench/synthetic_shards.h"
#include "core/search/kernels.h"
#include "core/search/rotation.h"

namespace bench {

void die(const std::string& why) {
  std::fprintf(stderr, "%s: %s\n", program_invocation_short_name, why.c_str());
  std::exit(1);
}

Dataset build_dataset(const clip::synthetic::EmbeddingModel& model, size_t n, size_t shard_rows, size_t nq,
                      uint64_t seed, size_t k) {
  Dataset d;
  d.n = n;
  d.dim = model.dim();
  d.shard_rows = shard_rows;
  d.flat = std::make_unique<faiss::IndexFlatIP>(d.dim);
  d.flat->codes.reserve(n * d.dim * sizeof(float));  // no doubling while adding
  d.bits = std::make_unique<faiss::IndexBinaryFlat>(d.dim);
  auto st = for_each_synthetic_shard(model, n, shard_rows, seed, [&](SyntheticShard& s) -> clip::Status {
    const size_t rows = s.embeddings.size() / d.dim;
    d.flat->add(faiss::Index::idx_t(rows), s.embeddings.data());
    auto shard = clip::Shard::parse(std::move(s.bytes), "shard-" + std::to_string(s.index));
    if (!shard) return shard.error();
    auto kept = std::make_shared<const clip::Shard>(std::move(*shard));
    if (auto added = d.searcher.add_shard(kept); !added) return added;
    d.bits->add(faiss::Index::idx_t(rows), kept->binary_code(0));
    d.shards.push_back(std::move(kept));
    return clip::ok_status();
  });
  if (!st) die(st.message());
  d.queries = synthetic_queries(model, nq, seed);
  // FAISS's binary index is given what our binary pass compares: sign bits
  // of the rotated query minus the shard centre (shards' centres all
  // estimate the same mean, so shard 0's stands for them).
  for (size_t q = 0; q < nq; ++q) {
    std::vector<float> x(d.queries.begin() + long(q * d.dim), d.queries.begin() + long((q + 1) * d.dim));
    clip::rotate(x.data(), d.dim);
    for (size_t i = 0; i < d.dim; ++i) x[i] -= d.shards[0]->centre()[i];
    d.query_bits.emplace_back(d.dim / 8);
    clip::binarize(x.data(), d.dim, d.query_bits.back().data());
  }
  d.truth = exact_top_k(d.vector(0), n, d.queries, d.dim, k);
  return d;
}

std::vector<uint32_t> hit_rows(const Dataset& d, const std::vector<clip::Hit>& hits) {
  std::vector<uint32_t> rows;
  for (const clip::Hit& h : hits) rows.push_back(uint32_t(h.shard * d.shard_rows + h.row));
  return rows;
}

void faiss_on_one_core(size_t blas_batch) {
  omp_set_num_threads(1);
  using SetThreads = void (*)(int);
  if (auto f = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) f(1);
  faiss::distance_compute_blas_threshold = int(blas_batch);
}

}  // namespace bench
