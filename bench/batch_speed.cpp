// Batched exhaustive search on one core, native: a block of B queries per
// scan through clip::Searcher::search_batch (int8, and sign-bit first pass
// + int8 rescoring), the block kernels alone (every variant this CPU runs),
// against FAISS IndexFlatIP given the same B queries per call (its BLAS
// path) on one thread. Reported per query, as a multiple of batched FAISS
// measured in the same run, with recall@10 against exact float search.
// Then the all-pairs top-10: every indexed vector as a query against all
// the others (itself left out), timed on a slice of the rows and scaled to
// all of them (the cost is linear in the number of queries).
//
//   clipsearch_bench_batch [--sizes 100000,1000000] [--batch 16] [--queries 64] [--all-pairs-rows 2048]
#include <faiss/IndexFlat.h>

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "bench/harness.h"
#include "bench/search_dataset.h"
#include "core/search/kernels.h"
#include "core/search/rotation.h"
#include "core/search/search.h"

namespace {

using bench::Dataset;
using bench::die;

constexpr size_t kK = 10;
constexpr size_t kKernelRows = 256;  // rows per block-kernel call, as search_batch makes them

struct Method {
  std::string name;
  size_t queries_per_call;
  // Answers the batch starting at query `first`; returns each query's top-k
  // rows, or nothing when the method only measures speed.
  std::function<std::vector<std::vector<uint32_t>>(size_t first)> run;
};

struct Measured {
  double seconds_per_query;
  double recall;  // < 0: not measured
};

Measured measure(const Dataset& d, const Method& m, double seconds) {
  const size_t batches = d.nq() / m.queries_per_call;
  std::vector<std::vector<uint32_t>> found(d.nq());
  size_t next = 0;
  const bench::Timing t = bench::time_median(
      [&] {
        const size_t first = (next++ % batches) * m.queries_per_call;
        std::vector<std::vector<uint32_t>> rows = m.run(first);
        for (size_t i = 0; i < rows.size(); ++i)
          if (found[first + i].empty()) found[first + i] = std::move(rows[i]);
      },
      std::max<size_t>(3, batches), seconds);
  std::vector<std::vector<uint32_t>> got, truth;
  for (size_t q = 0; q < d.nq(); ++q)
    if (!found[q].empty()) {
      got.push_back(found[q]);
      truth.push_back(d.truth[q]);
    }
  const double recall = got.empty() ? -1 : clip::synthetic::recall_at_k(truth, got);
  return {t.median_s / double(m.queries_per_call), recall};
}

std::vector<std::vector<uint32_t>> batch_rows(const Dataset& d, size_t first, size_t count,
                                              const clip::SearchOptions& o) {
  auto hits = d.searcher.search_batch(d.queries.data() + first * d.dim, count, d.dim, o);
  if (!hits) die(hits.message());
  std::vector<std::vector<uint32_t>> rows;
  for (const auto& h : *hits) rows.push_back(bench::hit_rows(d, h));
  return rows;
}

// The block kernel alone over every row for `count` queries (speed only).
void kernel_scan(const Dataset& d, const clip::Kernels& kern, const int8_t* codes, size_t count) {
  std::vector<int32_t> out(count * kKernelRows);
  volatile int32_t sink = 0;
  for (const auto& s : d.shards)
    for (uint32_t start = 0; start < s->count(); start += kKernelRows) {
      const size_t n = std::min<size_t>(kKernelRows, s->count() - start);
      kern.dot_i8_block(codes, count, s->vector(start), n, d.dim, out.data());
      sink = sink + out[0];
    }
}

std::string label_binary(size_t n) {
  return "binary x" + std::to_string(clip::default_oversample(n)) + " (default) + int8 rescore";
}

// Seconds for every row of the index to find its top 10 among the others:
// `rows` of them timed (thread CPU), scaled by n / rows.
double all_pairs_seconds(const Dataset& d, size_t rows, size_t batch, const clip::SearchOptions& base) {
  rows = std::min(rows, d.n);
  // Rows spread over the index, so the slice sees every shard as a query source.
  const size_t step = d.n / rows;
  double cpu = 0;
  for (size_t r0 = 0; r0 < rows; r0 += batch) {
    const size_t count = std::min(batch, rows - r0);
    std::vector<float> queries;
    std::vector<std::string> self;
    for (size_t i = 0; i < count; ++i) {
      const size_t row = (r0 + i) * step;
      const clip::Shard& s = *d.shards[row / d.shard_rows];
      const std::vector<float> e = s.embedding(uint32_t(row % d.shard_rows));
      queries.insert(queries.end(), e.begin(), e.end());
      self.push_back(s.record(uint32_t(row % d.shard_rows)).id);
    }
    const double c0 = bench::thread_cpu_s();
    auto hits = d.searcher.search_batch(queries.data(), count, d.dim, base, self);
    cpu += bench::thread_cpu_s() - c0;
    if (!hits) die(hits.message());
  }
  return cpu * double(d.n) / double(rows);
}

std::string duration(double s) {
  char out[32];
  if (s < 120) std::snprintf(out, sizeof out, "%.1f s", s);
  else if (s < 7200) std::snprintf(out, sizeof out, "%.1f min", s / 60);
  else std::snprintf(out, sizeof out, "%.1f h", s / 3600);
  return out;
}

void run_size(const clip::synthetic::EmbeddingModel& model, size_t n, size_t shard_rows, size_t nq, size_t batch,
              size_t all_pairs_rows, uint64_t seed, double seconds) {
  double t0 = bench::now_s();
  const Dataset d = bench::build_dataset(model, n, shard_rows, nq, seed, kK);
  std::fprintf(stderr, "n=%zu: data, shards and exact top-%zu in %.1f s\n", n, kK, bench::now_s() - t0);
  const size_t dim = d.dim;
  const float* queries = d.queries.data();

  // The queries as search_batch quantizes them, for the kernel-only rows.
  std::vector<int8_t> codes(nq * dim);
  for (size_t q = 0; q < nq; ++q) {
    std::vector<float> x(queries + q * dim, queries + (q + 1) * dim);
    clip::l2_normalize(x.data(), dim);
    clip::rotate(x.data(), dim);
    clip::quantize_int8(x.data(), dim, codes.data() + q * dim);
  }

  std::vector<Method> methods;
  const std::string faiss_batched = "FAISS IndexFlatIP, " + std::to_string(batch) + " queries/call";
  methods.push_back({faiss_batched, batch, [&](size_t first) {
                       std::vector<float> dist(kK * batch);
                       std::vector<faiss::Index::idx_t> labels(kK * batch);
                       d.flat->search(faiss::Index::idx_t(batch), queries + first * dim, kK, dist.data(),
                                      labels.data());
                       std::vector<std::vector<uint32_t>> rows(batch);
                       for (size_t i = 0; i < batch; ++i)
                         rows[i].assign(labels.begin() + long(i * kK), labels.begin() + long((i + 1) * kK));
                       return rows;
                     }});
  const clip::Kernels* kernels[8];
  const size_t kernel_count = clip::available_kernels(kernels, 8);
  for (size_t i = 0; i < kernel_count; ++i) {
    const clip::Kernels& kern = *kernels[i];
    methods.push_back({std::string("int8 block kernel scan, ") + kern.name, batch, [&, batch](size_t first) {
                         kernel_scan(d, kern, codes.data() + first * dim, batch);
                         return std::vector<std::vector<uint32_t>>();
                       }});
  }
  clip::SearchOptions int8_opts;
  int8_opts.k = kK;
  methods.push_back({std::string("int8 batch search (") + clip::best_kernels().name + ")", batch,
                     [&, batch](size_t first) { return batch_rows(d, first, batch, int8_opts); }});
  clip::SearchOptions bin_opts = int8_opts;
  bin_opts.binary_first_pass = true;
  methods.push_back({label_binary(n) + ", batched", batch,
                     [&, batch](size_t first) { return batch_rows(d, first, batch, bin_opts); }});
  methods.push_back({"int8 search, 1 query/call", 1, [&](size_t first) { return batch_rows(d, first, 1, int8_opts); }});

  std::printf("\n### %zu vectors x %zu dims, %zu queries per call (%zu shards of %zu)\n\n", n, dim, batch,
              d.shards.size(), shard_rows);
  std::printf("| method | ms/query | vectors/s per query | x FAISS IndexFlatIP, %zu/call | recall@10 |\n", batch);
  std::printf("|---|---:|---:|---:|---:|\n");
  std::vector<std::pair<std::string, Measured>> results;
  double faiss = 0;
  for (const Method& m : methods) {
    t0 = bench::now_s();
    const Measured r = measure(d, m, seconds);
    std::fprintf(stderr, "  %-48s %.1f s\n", m.name.c_str(), bench::now_s() - t0);
    if (m.name == faiss_batched) faiss = r.seconds_per_query;
    char recall[16] = "-";
    if (r.recall >= 0) std::snprintf(recall, sizeof recall, "%.4f", r.recall);
    std::printf("| %s | %.3f | %.3gM | %.2f | %s |\n", m.name.c_str(), 1e3 * r.seconds_per_query,
                double(n) / r.seconds_per_query / 1e6, faiss / r.seconds_per_query, recall);
    std::fflush(stdout);
    results.push_back({m.name, r});
  }
  auto find = [&](const std::string& prefix) {
    for (const auto& [name, r] : results)
      if (name.compare(0, prefix.size(), prefix) == 0) return r;
    die("no result for " + prefix);
  };
  const Measured int8 = find("int8 batch search"), bin = find(label_binary(n));
  std::printf("\nTargets at %zu vectors, %zu queries per call:\n\n", n, batch);
  std::printf("* batched int8 >= 3x batched FAISS IndexFlatIP per core: %.2fx, recall %.4f: %s\n",
              faiss / int8.seconds_per_query, int8.recall, faiss / int8.seconds_per_query >= 3 ? "met" : "MISSED");
  std::printf("* batched binary + rescore: %.2fx batched FAISS IndexFlatIP, recall %.4f\n",
              faiss / bin.seconds_per_query, bin.recall);

  // All pairs, top 10 each.
  const size_t rows = std::min(all_pairs_rows, n);
  clip::SearchOptions ap = int8_opts;
  t0 = bench::now_s();
  const double int8_all = all_pairs_seconds(d, rows, batch, ap);
  ap.binary_first_pass = true;
  const double bin_all = all_pairs_seconds(d, rows, batch, ap);
  std::fprintf(stderr, "  all pairs on %zu rows                             %.1f s\n", rows, bench::now_s() - t0);
  std::printf("\nAll-pairs top-10 at %zu vectors, one core (timed on %zu rows as queries, scaled to %zu): "
              "int8 %s, binary + rescore %s\n",
              n, rows, n, duration(int8_all).c_str(), duration(bin_all).c_str());
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  bench::Flags flags(argc, argv,
                     "usage: clipsearch_bench_batch [--sizes N,N] [--batch B] [--queries Q] [--all-pairs-rows R] "
                     "[--seconds S] [--dim D] [--shard ROWS] [--seed S]");
  const std::vector<size_t> sizes = flags.nums("sizes", "100000,1000000");
  const size_t batch = flags.num("batch", 16);
  const size_t nq = flags.num("queries", 64);
  const size_t all_pairs_rows = flags.num("all-pairs-rows", 2048);
  const size_t dim = flags.num("dim", 512);
  const size_t shard_rows = flags.num("shard", 4096);
  const uint64_t seed = flags.num("seed", 1);
  const double seconds = double(flags.num("seconds", 1));
  flags.done();
  if (dim == 0 || dim % 8 || batch == 0 || nq < batch || nq % batch || shard_rows == 0 || all_pairs_rows == 0)
    die("dim must be a positive multiple of 8; queries a multiple of batch; shard and all-pairs-rows > 0");

  bench::faiss_on_one_core(batch);  // FAISS takes its BLAS path for the batch

  const clip::synthetic::EmbeddingModel model(dim, seed);
  std::printf("## Batched search, native, one core\n\nKernel picked at run time: %s. Every figure is from one run; "
              "ratios compare rows of the same table.\n",
              clip::best_kernels().name);
  for (size_t n : sizes) run_size(model, n, shard_rows, nq, batch, all_pairs_rows, seed, seconds);
  return 0;
}
