// Writes a synthetic search data set for the WebAssembly benchmarks
// (bench/search_wasm.mjs), which cannot run the C++ generator themselves, and
// times the native search over the same shards as their reference:
//
//   DIR/shard-NNNNN.bin   shards as `clipsearch index` writes them
//   DIR/vectors-NNN.f32   the float vectors, little-endian, in row order
//   DIR/queries.f32       query vectors
//   DIR/data.json         sizes and file lists, exact float top-k per query,
//                         and the native int8 / binary search figures
//   DIR/manifest.json     the shards as an index lists them (the wasm Index reads it)
//
//   clipsearch_bench_search_data --n 100000 --out DIR [--queries 50] [--seed 1]
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/exact_search.h"
#include "bench/harness.h"
#include "bench/synthetic_shards.h"
#include "core/index/index.h"
#include "core/index/shard.h"
#include "core/search/kernels.h"
#include "core/search/search.h"

namespace {

constexpr size_t kK = 10;
constexpr size_t kVectorsPerFile = 65536;  // 128 MB of floats at 512 dims

void die(const std::string& why) {
  std::fprintf(stderr, "clipsearch_bench_search_data: %s\n", why.c_str());
  std::exit(1);
}


char* numbered(char (&buf)[64], const char* pattern, size_t i) {
  std::snprintf(buf, sizeof buf, pattern, i);
  return buf;
}

// Native single-query search over the shards, as the wasm benchmark runs it.
nlohmann::json time_native(const clip::Searcher& searcher, const std::vector<float>& queries, size_t dim,
                           size_t shard_rows, const std::vector<std::vector<uint32_t>>& truth, bool binary) {
  clip::SearchOptions opts;
  opts.k = kK;
  opts.binary_first_pass = binary;
  const size_t nq = queries.size() / dim;
  std::vector<std::vector<uint32_t>> found(nq);
  size_t next = 0;
  const bench::Timing t = bench::time_median(
      [&] {
        const size_t q = next++ % nq;
        auto hits = searcher.search(&queries[q * dim], dim, opts);
        if (!hits) die(hits.message());
        found[q].clear();
        for (const clip::Hit& h : *hits) found[q].push_back(uint32_t(h.shard * shard_rows + h.row));
      },
      nq, 1.0);
  return {{"msPerQuery", 1e3 * t.median_s},
          {"wallMsPerQuery", 1e3 * t.median_wall_s},
          {"recall", clip::synthetic::recall_at_k(truth, found)}};
}

}  // namespace

int main(int argc, char** argv) {
  bench::Flags flags(argc, argv, "usage: clipsearch_bench_search_data --n N --out DIR [--queries Q] [--seed S]");
  const size_t n = flags.num("n", 100000);
  const std::string out = flags.str("out", "");
  const size_t nq = flags.num("queries", 50);
  const size_t dim = flags.num("dim", 512);
  const size_t shard_rows = flags.num("shard", 4096);  // clipsearch index's default --shard-size
  const uint64_t seed = flags.num("seed", 1);
  flags.done();
  if (out.empty()) die("--out is required");
  if (dim == 0 || dim % 8 || n == 0 || nq == 0) die("n, queries and dim (a multiple of 8) must be positive");

  std::error_code ec;
  std::filesystem::create_directories(out, ec);
  if (ec) die("cannot create " + out + ": " + ec.message());

  const clip::synthetic::EmbeddingModel model(dim, seed);
  std::vector<float> vectors;
  vectors.reserve(n * dim);
  clip::Searcher searcher;
  clip::IndexManifest manifest;
  manifest.model_name = "synthetic";
  manifest.dim = uint32_t(dim);
  nlohmann::json data = {{"n", n}, {"dim", dim}, {"k", kK}, {"shardRows", shard_rows}, {"seed", seed}};
  char name[64];
  auto st = bench::for_each_synthetic_shard(model, n, shard_rows, seed, [&](bench::SyntheticShard& s) -> clip::Status {
    numbered(name, "shard-%05zu.bin", s.index);
    bench::write_file(out + "/" + name, s.bytes.data(), s.bytes.size());
    data["shards"].push_back(name);
    manifest.shards.push_back(clip::describe_shard(name, s.bytes));
    manifest.count += manifest.shards.back().count;
    vectors.insert(vectors.end(), s.embeddings.begin(), s.embeddings.end());
    auto shard = clip::Shard::parse(std::move(s.bytes), name);
    if (!shard) return shard.error();
    return searcher.add_shard(std::make_shared<const clip::Shard>(std::move(*shard)));
  });
  if (!st) die(st.message());
  for (size_t first = 0, i = 0; first < n; first += kVectorsPerFile, ++i) {
    const size_t rows = std::min(kVectorsPerFile, n - first);
    numbered(name, "vectors-%03zu.f32", i);
    bench::write_file(out + "/" + name, &vectors[first * dim], rows * dim * sizeof(float));
    data["vectors"].push_back(name);
  }
  const std::vector<float> queries = bench::synthetic_queries(model, nq, seed);
  bench::write_file(out + "/queries.f32", queries.data(), queries.size() * sizeof(float));
  data["queries"] = "queries.f32";
  const auto truth = bench::exact_top_k(vectors.data(), n, queries, dim, kK);
  data["truth"] = truth;
  data["native"] = {{"kernel", clip::best_kernels().name},
                    {"int8", time_native(searcher, queries, dim, shard_rows, truth, false)},
                    {"binary", time_native(searcher, queries, dim, shard_rows, truth, true)}};
  std::ofstream(out + "/data.json") << data.dump() << "\n";
  if (!manifest.shards.empty()) manifest.model_fingerprint = searcher.model_fingerprint();
  std::ofstream(out + "/manifest.json") << clip::serialize_index_manifest(manifest);
  std::fprintf(stderr, "wrote %zu vectors in %zu shards to %s; native int8 %.2f ms/query\n", n,
               data["shards"].size(), out.c_str(), data["native"]["int8"]["msPerQuery"].get<double>());
  return 0;
}
