// The parts of a search that the single-query and the batched paths share
// (search.cpp, search_batch.cpp): how a query is prepared, how a row is
// nominated and ranked, and how nominated rows are scored exactly. Keeping
// them in one place is what makes a batched search return exactly the hits
// of the same queries searched one by one. Internal to core/search.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/index/shard.h"
#include "core/search/search.h"
#include "core/search/topk.h"
#include "core/util/result.h"

namespace clip {
namespace scoring {

constexpr size_t kBlock = 1024;       // rows per single-query kernel call: 4 KiB of results
constexpr size_t kRescoreFactor = 4;  // the int8 scan nominates k * 4 rows

// A row nominated for exact scoring; higher key is better.
struct Candidate {
  float key;
  uint32_t shard, row;
};

// Orders by key, then (shard, row): equal keys always resolve the same way.
template <class T>
struct Ranked {
  static float key(const Hit& h) { return h.score; }
  static float key(const Candidate& c) { return c.key; }
  bool operator()(const T& a, const T& b) const {
    if (key(a) != key(b)) return key(a) > key(b);
    return a.shard != b.shard ? a.shard < b.shard : a.row < b.row;
  }
};

using Candidates = TopK<Candidate, Ranked<Candidate>>;
using Hits = TopK<Hit, Ranked<Hit>>;

using Query = SearchPlan;
inline bool skipped(const Query& q, uint32_t shard, uint32_t row) { return shard == q.skip_shard && row == q.skip_row; }

// Checks, normalises, rotates and quantizes a query of the index's dim
// (k, threshold and exclusion are the caller's); errors start with `what`
// ("search", "search: query 3").
Result<Query> prepare_query(const float* query, size_t dim, const std::string& what);

inline float clamp_cosine(float s) { return s > 1.0f ? 1.0f : (s < -1.0f ? -1.0f : s); }

// <x, centre>: the part of every score in a shard that is the same for all rows.
double centre_dot(const Query& q, const Shard& s);

// Cosine of the query with the stored vector centre + scale * codes (`v`,
// the row's int8 codes). A fixed summation order keeps native and wasm
// results bit-identical.
float exact_score(const Query& q, const Shard& s, uint32_t row, const int8_t* v, double centre_part);

// The int8 nomination key of a row: dot * scale_q * scale_v + <x, centre>,
// in this order of float operations on every path.
inline float int8_key(int32_t dot, float query_scale, float row_scale, float centre_part) {
  return float(dot) * query_scale * row_scale + centre_part;
}

// The sign bits of (x - centre) that a shard's binary codes are compared with.
std::vector<uint8_t> query_bits(const Query& q, const Shard& s);

// Both passes' nominees into q.candidates, in (shard, row) order: memory
// order for the scoring pass and for fetching rows.
void set_candidates(Query& q, Candidates& by_int8, Candidates& by_bits);

inline size_t saturating_mul(size_t a, size_t b, size_t cap) {
  return b != 0 && a > cap / b ? cap : (a * b < cap ? a * b : cap);
}

}  // namespace scoring
}  // namespace clip
