// Batched search: a block of queries against every row, through the block
// kernel (int8) or the Hamming kernel run query by query over a row block
// that stays in cache (sign bits). Nomination keys, their order and the
// exact rescoring are scoring.h's, the same as the single-query path, so
// each query gets exactly the hits search() gives it.
#include <algorithm>
#include <cmath>
#include <limits>

#include "core/search/kernels.h"
#include "core/search/scoring.h"
#include "core/search/search.h"

namespace clip {
namespace {

using namespace scoring;

constexpr size_t kQueryBlock = 16;  // queries scanned together
// Rows per block-kernel call: 16 queries x 256 rows of results (16 KiB)
// stay in L1 beside the 128 KiB of rows (512-d) they came from in L2.
constexpr size_t kRowBlock = 256;

// Pushes the rows of one block whose key can still enter `out`. Once the
// heap is full most blocks hold no such row; one vectorisable pass finds
// that out before any row is looked at one by one.
void nominate(const float* keys, size_t n, uint32_t si, uint32_t start, const Query& q, Candidates& out) {
  const Candidate* worst = out.worst();
  float floor = worst ? worst->key : -std::numeric_limits<float>::infinity();
  int any = 0;
  for (size_t i = 0; i < n; ++i) any |= keys[i] >= floor;
  if (!any) return;
  for (size_t i = 0; i < n; ++i) {
    if (keys[i] < floor) continue;  // cannot beat the worst kept, whatever the tie-break
    const uint32_t row = start + uint32_t(i);
    if (skipped(q, si, row)) continue;
    out.push(Candidate{keys[i], si, row});
    if ((worst = out.worst())) floor = worst->key;
  }
}

void scan_int8_block(const Kernels& kern, const Shard& s, uint32_t si, const std::vector<Query>& qs,
                     const int8_t* codes, std::vector<Candidates>& out) {
  const size_t nq = qs.size();
  std::vector<float> centre_part(nq);
  for (size_t i = 0; i < nq; ++i) centre_part[i] = float(centre_dot(qs[i], s));
  std::vector<int32_t> dots(nq * kRowBlock);
  float scales[kRowBlock], keys[kRowBlock];
  for (uint32_t start = 0; start < s.count(); start += kRowBlock) {
    const size_t n = std::min<size_t>(kRowBlock, s.count() - start);
    kern.dot_i8_block(codes, nq, s.vector(start), n, s.dim(), dots.data());
    for (size_t r = 0; r < n; ++r) scales[r] = s.scale(start + uint32_t(r));
    for (size_t i = 0; i < nq; ++i) {
      const int32_t* d = dots.data() + i * n;
      const float qscale = qs[i].scale, cp = centre_part[i];
      for (size_t r = 0; r < n; ++r) keys[r] = int8_key(d[r], qscale, scales[r], cp);
      nominate(keys, n, si, start, qs[i], out[i]);
    }
  }
}

void scan_binary_block(const Kernels& kern, const Shard& s, uint32_t si, const std::vector<Query>& qs,
                       std::vector<Candidates>& out) {
  const size_t nq = qs.size(), bytes = s.dim() / 8;
  std::vector<std::vector<uint8_t>> bits(nq);
  for (size_t i = 0; i < nq; ++i) bits[i] = query_bits(qs[i], s);
  uint32_t dist[kBlock];
  float keys[kBlock];
  for (uint32_t start = 0; start < s.count(); start += kBlock) {
    const size_t n = std::min<size_t>(kBlock, s.count() - start);  // 1024 x 64 bytes of codes stay in L2
    for (size_t i = 0; i < nq; ++i) {
      kern.hamming_batch(bits[i].data(), s.binary_code(start), bytes, n, dist);
      for (size_t r = 0; r < n; ++r) keys[r] = -float(dist[r]);
      nominate(keys, n, si, start, qs[i], out[i]);
    }
  }
}

}  // namespace

Result<std::vector<std::vector<Hit>>> Searcher::search_batch(const float* queries, size_t count, size_t dim,
                                                             const SearchOptions& opts,
                                                             const std::vector<std::string>& exclude_ids) const {
  if (shards_.empty()) return make_error("search: no shards loaded");
  if (dim != dim_)
    return make_error("search: queries have dim " + std::to_string(dim) + " but the index has dim " +
                      std::to_string(dim_));
  if (std::isnan(opts.min_score)) return make_error("search: min_score is NaN");
  if (!exclude_ids.empty() && exclude_ids.size() != count)
    return make_error("search: " + std::to_string(exclude_ids.size()) + " ids to exclude for " +
                      std::to_string(count) + " queries");
  for (const auto& s : shards_)
    if (!s->whole())
      return make_error("search: " + s->name() + " is loaded as a head (its int8 rows are not at hand); a batch "
                        "needs whole shards");
  const Kernels& kern = best_kernels();
  const size_t over = opts.oversample ? opts.oversample : default_oversample(size_);
  const size_t int8_cap = saturating_mul(opts.k, kRescoreFactor, size_);
  const size_t bits_cap = opts.binary_first_pass ? saturating_mul(opts.k, over, size_) : 0;

  std::vector<std::vector<Hit>> results;
  results.reserve(count);
  for (size_t b0 = 0; b0 < count; b0 += kQueryBlock) {
    const size_t nb = std::min(kQueryBlock, count - b0);
    std::vector<Query> qs;
    std::vector<int8_t> codes(nb * dim);  // the block's queries, contiguous for the kernel
    for (size_t i = 0; i < nb; ++i) {
      auto q = prepare_query(queries + (b0 + i) * dim, dim, "search: query " + std::to_string(b0 + i));
      CLIP_TRY(q);
      q->k = opts.k;
      q->min_score = opts.min_score;
      q->skip_shard = opts.exclude_shard;
      q->skip_row = opts.exclude_row;
      const std::string& exclude = exclude_ids.empty() ? opts.exclude_id : exclude_ids[b0 + i];
      if (!exclude.empty()) find_id(exclude, &q->skip_shard, &q->skip_row);
      std::copy(q->codes.begin(), q->codes.end(), codes.begin() + long(i * dim));
      qs.push_back(std::move(*q));
    }
    std::vector<Candidates> by_int8(nb, Candidates(int8_cap)), by_bits(nb, Candidates(bits_cap));
    for (uint32_t si = 0; si < shards_.size(); ++si) {
      const Shard& s = *shards_[si];
      if (opts.binary_first_pass && s.has_binary_codes())
        scan_binary_block(kern, s, si, qs, by_bits);
      else
        scan_int8_block(kern, s, si, qs, codes.data(), by_int8);
    }
    for (size_t i = 0; i < nb; ++i) {
      set_candidates(qs[i], by_int8[i], by_bits[i]);
      results.push_back(score(qs[i], nullptr));
    }
  }
  return results;
}

}  // namespace clip
