// Exhaustive int8 search with an optional sign-bit first pass. Either pass
// only nominates candidates; the final scores are exact dot products of the
// float query with the stored (centre + int8) vectors, so int8 rounding of
// the query never decides the order of the results. Rows are scanned in
// blocks so the kernel's output buffer stays in L1. Single-threaded: the
// same code runs in wasm.
#include "core/search/search.h"

#include <algorithm>
#include <cmath>

#include "core/search/kernels.h"
#include "core/search/scoring.h"

namespace clip {
namespace {

using namespace scoring;

// Nominates rows by int8 dot product (scoring::int8_key).
void scan_int8(const Kernels& kern, const Shard& s, uint32_t si, const Query& q, Candidates& out) {
  const float centre_part = float(centre_dot(q, s));
  int32_t dots[kBlock];
  for (uint32_t start = 0; start < s.count(); start += kBlock) {
    const size_t n = std::min<size_t>(kBlock, s.count() - start);
    kern.dot_i8_batch(q.codes.data(), s.vector(start), s.dim(), n, dots);
    for (size_t i = 0; i < n; ++i) {
      const uint32_t row = start + uint32_t(i);
      if (skipped(q, si, row)) continue;
      out.push(Candidate{int8_key(dots[i], q.scale, s.scale(row), centre_part), si, row});
    }
  }
}

// Nominates rows by Hamming distance between sign bits of (x - centre) and
// the stored sign bits of (vector - centre).
void scan_binary(const Kernels& kern, const Shard& s, uint32_t si, const Query& q, Candidates& out) {
  const std::vector<uint8_t> bits = query_bits(q, s);
  uint32_t dist[kBlock];
  for (uint32_t start = 0; start < s.count(); start += kBlock) {
    const size_t n = std::min<size_t>(kBlock, s.count() - start);
    kern.hamming_batch(bits.data(), s.binary_code(start), s.dim() / 8, n, dist);
    for (size_t i = 0; i < n; ++i) {
      const uint32_t row = start + uint32_t(i);
      if (skipped(q, si, row)) continue;
      out.push(Candidate{-float(dist[i]), si, row});
    }
  }
}

}  // namespace

size_t Searcher::size() const { return size_; }

// The ids of whole shard `s`, to be shard number `si`; none on failure.
Status Searcher::add_ids(const Shard& s, uint32_t si) {
  for (uint32_t r = 0; r < s.count(); ++r) {
    auto [it, inserted] = ids_.emplace(s.record(r).id, Location{si, r});
    if (inserted) continue;
    const Location prev = it->second;
    const std::string where = prev.shard == si ? s.name() : shards_[prev.shard]->name();
    for (uint32_t u = 0; u < r; ++u) ids_.erase(s.record(u).id);  // leave the searcher as it was
    return make_error(s.name() + " row " + std::to_string(r) + ": id \"" + s.record(r).id + "\" is already used by " +
                      where + " row " + std::to_string(prev.row));
  }
  return ok_status();
}

Status Searcher::add_shard(std::shared_ptr<const Shard> shard) {
  if (!shard) return make_error("add_shard: no shard given");
  const Shard& s = *shard;
  if (!s.whole() && !s.has_binary_codes())
    return make_error(s.name() + ": a shard head without sign bits cannot be searched; load the whole shard");
  if (!shards_.empty()) {
    if (s.dim() != dim_)
      return make_error(s.name() + ": dim " + std::to_string(s.dim()) + " does not match dim " + std::to_string(dim_) +
                        " of " + shards_[0]->name());
    if (s.model_fingerprint() != fingerprint_)
      return make_error(s.name() + ": built with model fingerprint \"" + s.model_fingerprint() + "\" but " +
                        shards_[0]->name() + " with \"" + fingerprint_ + "\"");
  }
  if (shards_.size() >= UINT32_MAX) return make_error(s.name() + ": too many shards");
  if (s.whole()) CLIP_TRY(add_ids(s, uint32_t(shards_.size())));
  if (shards_.empty()) {
    dim_ = s.dim();
    fingerprint_ = s.model_fingerprint();
  }
  size_ += s.count();
  shards_.push_back(std::move(shard));
  return ok_status();
}

Status Searcher::complete_shard(uint32_t i, std::shared_ptr<const Shard> whole) {
  if (i >= shards_.size()) return make_error("complete_shard: shard " + std::to_string(i) + " does not exist");
  const Shard& head = *shards_[i];
  if (!whole || !whole->whole()) return make_error(head.name() + ": the shard offered to complete it is not whole");
  if (head.whole()) return ok_status();
  const Shard& s = *whole;
  if (s.count() != head.count() || s.dim() != head.dim() || s.model_fingerprint() != head.model_fingerprint())
    return make_error(s.name() + ": its rows, dim or model differ from the head loaded for " + head.name());
  CLIP_TRY(add_ids(s, i));
  shards_[i] = std::move(whole);
  return ok_status();
}

bool Searcher::find_id(const std::string& id, uint32_t* shard, uint32_t* row) const {
  auto it = ids_.find(id);
  if (it == ids_.end()) return false;
  *shard = it->second.shard;
  *row = it->second.row;
  return true;
}

std::string Searcher::find_content(const std::array<uint8_t, 32>& sha256) const {
  for (const auto& shard : shards_) {
    for (uint32_t row = 0; shard->whole() && row < shard->count(); ++row) {
      const ImageRecord& r = shard->record(row);
      if (r.content_sha256 == sha256) return r.id;
    }
  }
  return "";
}

size_t default_oversample(size_t vectors) {
  return std::max(kMinOversample, vectors / kOversampleStepRows);
}

Result<SearchPlan> Searcher::plan(const float* query, size_t dim, const SearchOptions& opts) const {
  if (shards_.empty()) return make_error("search: no shards loaded");
  if (dim != dim_)
    return make_error("search: query has dim " + std::to_string(dim) + " but the index has dim " + std::to_string(dim_));
  if (std::isnan(opts.min_score)) return make_error("search: min_score is NaN");
  auto prepared = prepare_query(query, dim, "search");
  CLIP_TRY(prepared);
  Query q = std::move(*prepared);
  q.k = opts.k;
  q.min_score = opts.min_score;
  q.skip_shard = opts.exclude_shard;
  q.skip_row = opts.exclude_row;
  if (!opts.exclude_id.empty()) find_id(opts.exclude_id, &q.skip_shard, &q.skip_row);

  // Nominate: sign bits where asked for and present, and always for shard
  // heads (their int8 rows are not at hand); int8 otherwise.
  const Kernels& kern = best_kernels();
  bool any_head = false;
  for (const auto& s : shards_) any_head = any_head || !s->whole();
  const bool by_sign_bits = opts.binary_first_pass || any_head;
  const size_t over = opts.oversample ? opts.oversample : default_oversample(size_);
  Candidates by_int8(saturating_mul(opts.k, kRescoreFactor, size_));
  Candidates by_bits(by_sign_bits ? saturating_mul(opts.k, over, size_) : 0);
  for (uint32_t si = 0; si < shards_.size(); ++si) {
    const Shard& s = *shards_[si];
    if ((opts.binary_first_pass || !s.whole()) && s.has_binary_codes())
      scan_binary(kern, s, si, q, by_bits);
    else
      scan_int8(kern, s, si, q, by_int8);
  }
  set_candidates(q, by_int8, by_bits);
  return q;
}

std::vector<Hit> Searcher::score(const SearchPlan& q, const RowCodes& row_codes, size_t* unscored) const {
  Hits top(std::min(q.k, size_));
  uint32_t centre_shard = UINT32_MAX;
  double centre_part = 0;
  size_t missing = 0;
  for (const RowRef& c : q.candidates) {
    if (c.shard >= shards_.size() || c.row >= shards_[c.shard]->count()) {
      ++missing;
      continue;
    }
    const Shard& s = *shards_[c.shard];
    const int8_t* v = s.whole() ? s.vector(c.row) : (row_codes ? row_codes(c.shard, c.row) : nullptr);
    if (!v) {
      ++missing;
      continue;
    }
    if (c.shard != centre_shard) {
      centre_shard = c.shard;
      centre_part = centre_dot(q, s);
    }
    const float score = exact_score(q, s, c.row, v, centre_part);
    if (score >= q.min_score) top.push(Hit{c.shard, c.row, score});
  }
  if (unscored) *unscored = missing;
  return top.take_sorted();
}

Result<std::vector<Hit>> Searcher::search(const float* query, size_t dim, const SearchOptions& opts) const {
  auto p = plan(query, dim, opts);
  CLIP_TRY(p);
  return score(*p, nullptr);
}

}  // namespace clip
