// Search quality against exact float cosine on synthetic CLIP-like data:
// recall@10 of the int8 scan and of the sign-bit first pass + int8 rescoring
// at several oversampling factors, with per-query times.
//
//   clipsearch_recall [--n 100000] [--queries 1000] [--dim 512] [--shard 25000] [--seed 1]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>

#include "bench/synthetic_embeddings.h"
#include "core/index/shard.h"
#include "core/search/kernels.h"
#include "core/search/search.h"

namespace {

using clip::synthetic::exact_top_k;
using clip::synthetic::recall_at_k;

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

struct Run {
  double recall, ms_per_query;  // CPU time: meaningful on a busy machine too
};

Run measure(const clip::Searcher& searcher, const std::vector<float>& queries, size_t dim, size_t shard_rows,
            const std::vector<std::vector<uint32_t>>& truth, const clip::SearchOptions& opts) {
  const size_t nq = queries.size() / dim;
  std::vector<std::vector<uint32_t>> found(nq);
  const std::clock_t t0 = std::clock();
  for (size_t q = 0; q < nq; ++q) {
    auto hits = searcher.search(&queries[q * dim], dim, opts);
    if (!hits) {
      std::fprintf(stderr, "search failed: %s\n", hits.message().c_str());
      std::exit(1);
    }
    for (const clip::Hit& h : *hits) found[q].push_back(uint32_t(h.shard * shard_rows + h.row));
  }
  const double secs = double(std::clock() - t0) / CLOCKS_PER_SEC;
  return {recall_at_k(truth, found), 1000.0 * secs / double(nq)};
}

}  // namespace

int main(int argc, char** argv) {
  size_t n = 100000, nq = 1000, dim = 512, shard_rows = 25000;
  uint64_t seed = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const unsigned long long v = std::strtoull(argv[i + 1], nullptr, 10);
    if (!std::strcmp(argv[i], "--n")) n = v;
    else if (!std::strcmp(argv[i], "--queries")) nq = v;
    else if (!std::strcmp(argv[i], "--dim")) dim = v;
    else if (!std::strcmp(argv[i], "--shard")) shard_rows = v;
    else if (!std::strcmp(argv[i], "--seed")) seed = v;
    else {
      std::fprintf(stderr, "usage: %s [--n N] [--queries Q] [--dim D] [--shard ROWS] [--seed S]\n", argv[0]);
      return 2;
    }
  }
  if (argc % 2 == 0 || n == 0 || nq == 0 || dim == 0 || dim % 8 || shard_rows == 0) {
    std::fprintf(stderr, "usage: %s [--n N] [--queries Q] [--dim D (multiple of 8)] [--shard ROWS] [--seed S]\n",
                 argv[0]);
    return 2;
  }
  const size_t k = 10;

  auto t0 = std::chrono::steady_clock::now();
  const clip::synthetic::EmbeddingModel model(dim, seed);
  const std::vector<float> base = model.sample(n, seed + 1);
  const std::vector<float> queries = model.sample(nq, seed + 2);
  std::fprintf(stderr, "generated %zu + %zu vectors of dim %zu in %.1f s\n", n, nq, dim, seconds_since(t0));

  t0 = std::chrono::steady_clock::now();
  const auto truth = exact_top_k(base, queries, dim, k);
  std::fprintf(stderr, "exact float top-%zu in %.1f s\n", k, seconds_since(t0));

  clip::Searcher searcher;
  for (size_t s0 = 0; s0 < n; s0 += shard_rows) {
    clip::ShardContents c;
    c.model_fingerprint = "synthetic";
    c.dim = uint32_t(dim);
    const size_t rows = n - s0 < shard_rows ? n - s0 : shard_rows;
    c.records.resize(rows);
    for (size_t r = 0; r < rows; ++r) c.records[r].id = std::to_string(s0 + r);
    c.embeddings.assign(base.begin() + long(s0 * dim), base.begin() + long((s0 + rows) * dim));
    auto bytes = clip::encode_shard(c);
    auto shard = bytes ? clip::Shard::parse(std::move(*bytes), "shard-" + std::to_string(s0 / shard_rows))
                       : clip::Result<clip::Shard>(bytes.error());
    if (!shard) {
      std::fprintf(stderr, "shard: %s\n", shard.message().c_str());
      return 1;
    }
    if (auto st = searcher.add_shard(std::make_shared<const clip::Shard>(std::move(*shard))); !st) {
      std::fprintf(stderr, "%s\n", st.message().c_str());
      return 1;
    }
  }

  // How hard the data is: the cosine of the 1st and 10th true neighbours.
  double top1 = 0, top10 = 0;
  for (size_t q = 0; q < nq; ++q) {
    const float* a = &queries[q * dim];
    float d1 = 0, d10 = 0;
    for (size_t i = 0; i < dim; ++i) {
      d1 += a[i] * base[truth[q].front() * dim + i];
      d10 += a[i] * base[truth[q].back() * dim + i];
    }
    top1 += d1;
    top10 += d10;
  }
  double random_pair = 0;
  for (size_t q = 0; q < nq; ++q)
    for (size_t i = 0; i < dim; ++i) random_pair += double(queries[q * dim + i]) * base[((q * 7919) % n) * dim + i];

  std::printf("data: %zu base vectors, %zu queries, dim %zu, %zu shards, kernel %s\n", n, nq, dim,
              searcher.shard_count(), clip::best_kernels().name);
  std::printf("mean cosine: random pair %.3f, true neighbour #1 %.3f, #10 %.3f\n", random_pair / double(nq),
              top1 / double(nq), top10 / double(nq));
  std::printf("%-26s %10s %12s\n", "method", "recall@10", "CPU ms/query");
  clip::SearchOptions opts;
  opts.k = k;
  Run r = measure(searcher, queries, dim, shard_rows, truth, opts);
  std::printf("%-26s %10.4f %12.3f\n", "int8 exhaustive", r.recall, r.ms_per_query);
  opts.binary_first_pass = true;
  for (size_t over : {1, 2, 5, 10, 20, 50, 100}) {
    opts.oversample = over;
    r = measure(searcher, queries, dim, shard_rows, truth, opts);
    char label[64];
    std::snprintf(label, sizeof label, "binary x%zu + int8 rescore%s", over,
                  over == clip::default_oversample(n) ? "*" : "");
    std::printf("%-26s %10.4f %12.3f\n", label, r.recall, r.ms_per_query);
  }
  std::printf("* default oversample at %zu vectors (clip::default_oversample)\n", n);
  return 0;
}
