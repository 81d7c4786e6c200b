// The index bench/page_scale.mjs serves to the page: N synthetic CLIP-like
// vectors (bench/synthetic_embeddings.h) written as an index folder exactly
// as the project's writer makes one (core encode_shard, describe_shard,
// serialize_index_manifest), tied to a model by its name and fingerprint;
// the query vectors the bench's text model returns; and the exact float
// top-k of those queries over the same N vectors, for recall.
//
//   clipsearch_bench_page_index --queries-out Q.f32 [--nq 50] [--dim 512] [--seed 1]
//   clipsearch_bench_page_index --n N --out DIR --model-name M --fingerprint FP
//       [--model-location ../model] [--shard 4096] [--truth-for Q.f32 --truth-out T.json --k 10]
#include <algorithm>
#include <cstring>
#include <iterator>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/harness.h"
#include "bench/synthetic_shards.h"
#include "core/index/index.h"

namespace {

void die(const std::string& why) {
  std::fprintf(stderr, "clipsearch_bench_page_index: %s\n", why.c_str());
  std::exit(1);
}


std::vector<float> read_floats(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::vector<char> b((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (!f.good() && !f.eof()) die("cannot read " + path);
  std::vector<float> out(b.size() / 4);
  std::memcpy(out.data(), b.data(), out.size() * 4);
  return out;
}

// The best k (score, row) of one query, kept sorted best first.
struct TopK {
  size_t k;
  std::vector<std::pair<float, uint32_t>> best;
  void push(float score, uint32_t row) {
    if (best.size() == k && score <= best.back().first) return;
    auto at = std::upper_bound(best.begin(), best.end(), std::make_pair(score, row),
                               [](const auto& a, const auto& b) { return a.first > b.first; });
    best.insert(at, {score, row});
    if (best.size() > k) best.pop_back();
  }
};

}  // namespace

int main(int argc, char** argv) {
  bench::Flags flags(argc, argv, "usage: see bench/page_index.cpp");
  const size_t n = flags.num("n", 0);
  const std::string out = flags.str("out", "");
  const size_t dim = flags.num("dim", 512);
  const uint64_t seed = flags.num("seed", 1);
  const size_t shard_rows = flags.num("shard", 4096);  // clipsearch index's default --shard-size
  const size_t nq = flags.num("nq", 50);
  const size_t k = flags.num("k", 10);
  const std::string queries_out = flags.str("queries-out", "");
  const std::string truth_for = flags.str("truth-for", "");
  const std::string truth_out = flags.str("truth-out", "");
  clip::IndexManifest manifest;
  manifest.model_name = flags.str("model-name", "synthetic");
  manifest.model_fingerprint = flags.str("fingerprint", "synthetic");
  manifest.model_location = flags.str("model-location", "");
  flags.done();
  if (dim == 0 || dim % 8) die("--dim must be a positive multiple of 8");
  const clip::synthetic::EmbeddingModel model(dim, seed);

  if (!queries_out.empty()) {
    const std::vector<float> q = bench::synthetic_queries(model, nq, seed);
    bench::write_file(queries_out, q.data(), q.size() * sizeof(float));
  }
  if (out.empty()) return 0;
  if (n == 0) die("--n must be positive");

  const std::vector<float> queries = truth_for.empty() ? std::vector<float>() : read_floats(truth_for);
  if (queries.size() % dim) die(truth_for + " does not hold whole vectors of dim " + std::to_string(dim));
  std::vector<TopK> truth(queries.size() / dim, TopK{k, {}});

  std::error_code ec;
  std::filesystem::create_directories(out, ec);
  if (ec) die("cannot create " + out + ": " + ec.message());
  manifest.dim = uint32_t(dim);
  char name[64];
  auto st = bench::for_each_synthetic_shard(
      model, n, shard_rows, seed,
      [&](bench::SyntheticShard& s) -> clip::Status {
        std::snprintf(name, sizeof name, "shard-%05zu.bin", s.index);
        bench::write_file(out + "/" + name, s.bytes.data(), s.bytes.size());
        manifest.shards.push_back(clip::describe_shard(name, s.bytes));
        manifest.count += manifest.shards.back().count;
        const size_t rows = s.embeddings.size() / dim;
        for (size_t q = 0; q < truth.size(); ++q) {
          const float* x = &queries[q * dim];
          for (size_t r = 0; r < rows; ++r) {
            const float* v = &s.embeddings[r * dim];
            float dot = 0;
            for (size_t i = 0; i < dim; ++i) dot += x[i] * v[i];
            truth[q].push(dot, uint32_t(s.first_row + r));
          }
        }
        if (s.index % 16 == 15) std::fprintf(stderr, "\r%zu of %zu vectors written", s.first_row + rows, n);
        return clip::ok_status();
      },
      manifest.model_fingerprint);
  if (!st) die(st.message());
  std::fprintf(stderr, "\rwrote %llu vectors in %zu shards to %s\n", (unsigned long long)manifest.count,
               manifest.shards.size(), out.c_str());
  manifest.tool_version = "bench";
  std::ofstream(out + "/manifest.json") << clip::serialize_index_manifest(manifest);

  if (!truth_out.empty()) {
    nlohmann::json j = nlohmann::json::array();
    for (const TopK& t : truth) {
      nlohmann::json ids = nlohmann::json::array();
      for (const auto& [score, row] : t.best) ids.push_back(std::to_string(row));  // ids are row numbers
      j.push_back(ids);
    }
    std::ofstream(truth_out) << j.dump() << "\n";
  }
  return 0;
}
