// Single-query exhaustive search on one core, native: our int8 kernels (every
// variant this CPU runs), the search path with int8 and with the sign-bit
// first pass + int8 rescoring, a plain float loop, and FAISS IndexFlatIP /
// IndexBinaryFlat on one thread. Each is reported as vectors/s, as a multiple
// of FAISS IndexFlatIP measured in the same run, as a share of the rate one
// core merely reads the same bytes at, and as recall@10 against exact float
// search. Data: bench/synthetic_embeddings.h (clustered, anisotropic).
//
//   clipsearch_bench_search [--sizes 100000,1000000] [--queries 50] [--seconds 1]
#include <faiss/IndexBinaryFlat.h>
#include <faiss/IndexFlat.h>
#include <unistd.h>

#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bench/harness.h"
#include "bench/memory_read.h"
#include "bench/search_dataset.h"
#include "core/index/shard.h"
#include "core/search/kernels.h"
#include "core/search/rotation.h"
#include "core/search/search.h"
#include "core/search/topk.h"

namespace {

constexpr size_t kK = 10;
using bench::Dataset;
using bench::die;
constexpr size_t kBatch = 16;  // queries per call in the batched FAISS row

// A buffer a method scans, in pieces (one per shard).
using Parts = std::vector<std::pair<const uint8_t*, size_t>>;

// Bytes/s one core reads `parts` at: the ceiling for any scan of them.
double read_rate(const Parts& parts, double seconds) {
  size_t total = 0;
  for (const auto& p : parts) total += p.second;
  volatile uint64_t sink = 0;
  const bench::Timing t = bench::time_median(
      [&] {
        for (const auto& p : parts) sink = sink + bench::read_all(p.first, p.second);
      },
      5, seconds);
  return double(total) / t.median_s;
}

// Ranks (score, row) pairs best first, ties by lower row.
struct Scored {
  float score;
  uint32_t row;
};
struct Better {
  bool operator()(const Scored& a, const Scored& b) const {
    return a.score != b.score ? a.score > b.score : a.row < b.row;
  }
};

std::vector<uint32_t> rows_of(std::vector<Scored> best) {
  std::vector<uint32_t> rows;
  for (const Scored& s : best) rows.push_back(s.row);
  return rows;
}

// The baseline anyone writes first: a float dot product per vector, summed
// in order (no reassociation, so the compiler keeps it scalar), and a heap.
std::vector<uint32_t> float_loop(const Dataset& d, const float* q) {
  clip::TopK<Scored, Better> top(kK);
  for (size_t r = 0; r < d.n; ++r) {
    const float* v = d.vector(r);
    float dot = 0;
    for (size_t i = 0; i < d.dim; ++i) dot += q[i] * v[i];
    top.push(Scored{dot, uint32_t(r)});
  }
  return rows_of(top.take_sorted());
}

// One kernel variant alone: int8 dots of every row, 1024 rows per call (as
// the search does), the best k kept. Speed only; every variant returns the
// same integers, so recall is the int8 search's.
void kernel_scan(const Dataset& d, const clip::Kernels& kern, const int8_t* q) {
  clip::TopK<Scored, Better> top(kK);
  std::vector<int32_t> dots(1024);
  uint32_t base = 0;
  for (const auto& s : d.shards) {
    for (uint32_t start = 0; start < s->count(); start += 1024) {
      const size_t rows = std::min<size_t>(1024, s->count() - start);
      kern.dot_i8_batch(q, s->vector(start), d.dim, rows, dots.data());
      for (size_t i = 0; i < rows; ++i) top.push(Scored{float(dots[i]), base + start + uint32_t(i)});
    }
    base += s->count();
  }
  volatile size_t sink = top.size();
  (void)sink;
}

std::vector<uint32_t> searcher_rows(const Dataset& d, const float* q, const clip::SearchOptions& opts) {
  auto hits = d.searcher.search(q, d.dim, opts);
  if (!hits) die(hits.message());
  return bench::hit_rows(d, *hits);
}

std::vector<uint32_t> faiss_rows(const std::vector<faiss::Index::idx_t>& labels) {
  return std::vector<uint32_t>(labels.begin(), labels.end());
}

struct Method {
  std::string name;
  double bytes_per_vector;  // what it scans per vector
  const Parts* scans;       // the buffer it reads
  size_t min_runs;
  size_t queries_per_call;
  // Answers query i (its first row in a batch); returns top-k rows, or
  // nothing when the method only measures speed.
  std::function<std::vector<uint32_t>(size_t)> run;
};

struct Measured {
  double seconds_per_query, recall;  // recall < 0: not measured
  double read_rate;                  // bytes/s of the memory-read loop over the same buffer
};

// The memory-read rate is taken just before the method, so a change in the
// machine's load between methods moves both alike.
Measured measure(const Dataset& d, const Method& m, double seconds) {
  const double ceiling = read_rate(*m.scans, 0.3);
  std::vector<std::vector<uint32_t>> found(d.nq());
  std::vector<std::vector<uint32_t>> truth;
  size_t next = 0;
  const bench::Timing t = bench::time_median(
      [&] {
        const size_t q = next++ % d.nq();
        std::vector<uint32_t> rows = m.run(q);
        if (!rows.empty() && found[q].empty()) found[q] = std::move(rows);
      },
      m.min_runs, seconds);
  std::vector<std::vector<uint32_t>> got;
  for (size_t q = 0; q < d.nq(); ++q)
    if (!found[q].empty()) {
      got.push_back(found[q]);
      truth.push_back(d.truth[q]);
    }
  const double recall = got.empty() ? -1 : clip::synthetic::recall_at_k(truth, got);
  return {t.median_s / double(m.queries_per_call), recall, ceiling};
}

// Binary rows: the default candidate count at n vectors and, where it has
// grown past it, the floor it starts from.
std::vector<size_t> binary_oversamples(size_t n) {
  const size_t def = clip::default_oversample(n);
  if (def == clip::kMinOversample) return {def};
  return {clip::kMinOversample, def};
}

std::string binary_label(size_t n, size_t over) {
  return "binary x" + std::to_string(over) + (over == clip::default_oversample(n) ? " (default)" : "") +
         " + int8 rescore";
}

std::string mb(double bytes) {
  char s[32];
  std::snprintf(s, sizeof s, "%.0f MB", bytes / 1e6);
  return s;
}

void run_size(const clip::synthetic::EmbeddingModel& model, size_t n, size_t shard_rows, size_t nq, uint64_t seed,
              double seconds) {
  double t0 = bench::now_s();
  const Dataset d = bench::build_dataset(model, n, shard_rows, nq, seed, kK);
  std::fprintf(stderr, "n=%zu: data, shards and exact top-%zu in %.1f s\n", n, kK, bench::now_s() - t0);
  const size_t dim = d.dim;

  Parts int8_parts, bit_parts;
  for (const auto& s : d.shards) {
    int8_parts.push_back({reinterpret_cast<const uint8_t*>(s->vector(0)), size_t(s->count()) * dim});
    bit_parts.push_back({s->binary_code(0), size_t(s->count()) * dim / 8});
  }
  const Parts float_parts = {{d.flat->codes.data(), d.flat->codes.size()}};

  std::vector<std::vector<int8_t>> query_codes(d.nq(), std::vector<int8_t>(dim));
  for (size_t q = 0; q < d.nq(); ++q) {  // as the search quantizes them
    std::vector<float> x(d.queries.begin() + long(q * dim), d.queries.begin() + long((q + 1) * dim));
    clip::rotate(x.data(), dim);
    clip::quantize_int8(x.data(), dim, query_codes[q].data());
  }
  const double fbytes = double(dim) * 4, i8bytes = double(dim), bbytes = double(dim) / 8;
  const float* queries = d.queries.data();
  std::vector<Method> methods;
  methods.push_back({"FAISS IndexFlatIP", fbytes, &float_parts, 3, 1, [&](size_t q) {
                       std::vector<float> dist(kK);
                       std::vector<faiss::Index::idx_t> labels(kK);
                       d.flat->search(1, queries + q * dim, kK, dist.data(), labels.data());
                       return faiss_rows(labels);
                     }});
  methods.push_back({"plain float loop", fbytes, &float_parts, 3, 1,
                     [&](size_t q) { return float_loop(d, queries + q * dim); }});
  if (d.nq() >= kBatch)
    methods.push_back({"FAISS IndexFlatIP, 16 queries/call", fbytes, &float_parts, 3, kBatch, [&](size_t q) {
                         const size_t first = (q * kBatch) % (d.nq() - kBatch + 1);
                         std::vector<float> dist(kK * kBatch);
                         std::vector<faiss::Index::idx_t> labels(kK * kBatch);
                         d.flat->search(kBatch, queries + first * dim, kK, dist.data(), labels.data());
                         return std::vector<uint32_t>();
                       }});
  const clip::Kernels* kernels[8];
  const size_t kernel_count = clip::available_kernels(kernels, 8);
  for (size_t i = 0; i < kernel_count; ++i) {
    const clip::Kernels& kern = *kernels[i];
    methods.push_back({std::string("int8 kernel scan, ") + kern.name, i8bytes, &int8_parts, 3, 1, [&](size_t q) {
                         kernel_scan(d, kern, query_codes[q].data());
                         return std::vector<uint32_t>();
                       }});
  }
  clip::SearchOptions int8_opts;
  int8_opts.k = kK;
  methods.push_back({std::string("int8 search (") + clip::best_kernels().name + ")", i8bytes, &int8_parts, nq, 1,
                     [&](size_t q) { return searcher_rows(d, queries + q * dim, int8_opts); }});
  methods.push_back({"FAISS IndexBinaryFlat", bbytes, &bit_parts, nq, 1, [&](size_t q) {
                       std::vector<int32_t> dist(kK);
                       std::vector<faiss::Index::idx_t> labels(kK);
                       d.bits->search(1, d.query_bits[q].data(), kK, dist.data(), labels.data());
                       return faiss_rows(labels);
                     }});
  // The default candidate count (it grows with the index), and the smallest
  // one it starts from: at 1M vectors x10 loses recall while more candidates
  // cost little (rescoring is cheap next to the scan).
  const std::vector<size_t> overs = binary_oversamples(n);
  for (size_t over : overs) {
    clip::SearchOptions opts;
    opts.k = kK;
    opts.binary_first_pass = true;
    opts.oversample = over;
    methods.push_back({binary_label(n, over), bbytes, &bit_parts, nq, 1,
                       [&, opts](size_t q) { return searcher_rows(d, queries + q * dim, opts); }});
  }

  std::printf("\n### %zu vectors x %zu dims (%zu shards of %zu)\n\n", n, dim, d.shards.size(), shard_rows);
  std::printf("Bytes scanned: float %s, int8 codes %s, sign bits %s. Memory read: one core reading the same "
              "buffer, just before the method.\n\n",
              mb(fbytes * double(n)).c_str(), mb(i8bytes * double(n)).c_str(), mb(bbytes * double(n)).c_str());
  std::printf("| method | ms/query | vectors/s | x FAISS IndexFlatIP | GB/s scanned | memory read GB/s | "
              "of memory-read rate | recall@10 |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");
  double faiss_flat = 0;
  std::vector<std::pair<std::string, Measured>> results;
  for (const Method& m : methods) {
    t0 = bench::now_s();
    const Measured r = measure(d, m, seconds);
    std::fprintf(stderr, "  %-40s %.1f s\n", m.name.c_str(), bench::now_s() - t0);
    const double vps = double(n) / r.seconds_per_query;
    if (m.name == "FAISS IndexFlatIP") faiss_flat = vps;
    const double rate = vps * m.bytes_per_vector;
    char recall[16] = "-";
    if (r.recall >= 0) std::snprintf(recall, sizeof recall, "%.4f", r.recall);
    std::printf("| %s | %.2f | %.3gM | %.2f | %.2f | %.2f | %.0f%% | %s |\n", m.name.c_str(),
                1e3 * r.seconds_per_query, vps / 1e6, faiss_flat > 0 ? vps / faiss_flat : 0.0, rate / 1e9,
                r.read_rate / 1e9, 100 * rate / r.read_rate, recall);
    results.push_back({m.name, r});
    std::fflush(stdout);
  }

  // The targets, as ratios from this run.
  auto find = [&](const std::string& prefix) {
    for (const auto& [name, r] : results)
      if (name.compare(0, prefix.size(), prefix) == 0) return r;
    die("no result for " + prefix);
    return Measured{};
  };
  const Measured flat = find("FAISS IndexFlatIP"), int8 = find("int8 search"), fbin = find("FAISS IndexBinaryFlat");
  const long l3 = sysconf(_SC_LEVEL3_CACHE_SIZE);
  const double int8_share = i8bytes * double(n) / int8.seconds_per_query / int8.read_rate;
  auto verdict = [](bool ok) { return ok ? "met" : "MISSED"; };
  auto at_least = [](double x, double bound) { return x >= bound - 1e-9; };  // recall is a mean of tenths
  std::printf("\nTargets at %zu vectors:\n\n", n);
  std::printf("* int8 >= 3x FAISS IndexFlatIP with recall@10 >= 0.99: %.2fx, recall %.4f: %s\n",
              flat.seconds_per_query / int8.seconds_per_query, int8.recall,
              verdict(flat.seconds_per_query / int8.seconds_per_query >= 3 && at_least(int8.recall, 0.99)));
  for (size_t over : overs) {
    const Measured bin = find(binary_label(n, over));
    std::printf("* binary x%zu + rescore >= 10x FAISS IndexFlatIP, >= FAISS IndexBinaryFlat, recall@10 >= 0.95: "
                "%.2fx, %.2fx, recall %.4f: %s\n",
                over, flat.seconds_per_query / bin.seconds_per_query, fbin.seconds_per_query / bin.seconds_per_query,
                bin.recall,
                verdict(flat.seconds_per_query / bin.seconds_per_query >= 10 &&
                        fbin.seconds_per_query >= bin.seconds_per_query && at_least(bin.recall, 0.95)));
  }
  const bool beyond_cache = l3 > 0 && i8bytes * double(n) > double(l3);
  std::printf("* int8 search >= 70%% of the memory-read rate once data exceeds cache: %.0f%% (int8 codes %s, L3 %s): %s\n",
              100 * int8_share, mb(i8bytes * double(n)).c_str(), mb(double(l3)).c_str(),
              beyond_cache ? verdict(int8_share >= 0.7) : "n/a, fits in cache");
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  bench::Flags flags(argc, argv,
                     "usage: clipsearch_bench_search [--sizes N,N] [--queries Q] [--seconds S] [--dim D] "
                     "[--shard ROWS] [--seed S]");
  const std::vector<size_t> sizes = flags.nums("sizes", "100000,1000000");
  const size_t nq = flags.num("queries", 50);
  const size_t dim = flags.num("dim", 512);
  const size_t shard_rows = flags.num("shard", 4096);  // clipsearch index's default --shard-size
  const uint64_t seed = flags.num("seed", 1);
  const double seconds = double(flags.num("seconds", 1));
  flags.done();
  if (dim == 0 || dim % 8 || nq == 0 || shard_rows == 0) die("dim must be a positive multiple of 8, queries and shard > 0");

  bench::faiss_on_one_core(kBatch);  // the batched row takes FAISS's BLAS path

  const clip::synthetic::EmbeddingModel model(dim, seed);
  std::printf("## Search, native, one core\n\nKernel picked at run time: %s. Every figure is from one run; "
              "ratios compare rows of the same table.\n",
              clip::best_kernels().name);
  for (size_t n : sizes) run_size(model, n, shard_rows, nq, seed, seconds);
  return 0;
}
