#include "core/search/scoring.h"

#include <algorithm>
#include <cmath>

#include "core/search/kernels.h"
#include "core/search/rotation.h"

namespace clip {
namespace scoring {

Result<Query> prepare_query(const float* query, size_t dim, const std::string& what) {
  Query q;
  q.x.assign(query, query + dim);
  for (size_t i = 0; i < dim; ++i)
    if (!std::isfinite(q.x[i])) return make_error(what + ": query value " + std::to_string(i) + " is not finite");
  if (l2_normalize(q.x.data(), dim) == 0) return make_error(what + ": query vector is all zeros");
  rotate(q.x.data(), dim);
  q.codes.resize(dim);
  q.scale = quantize_int8(q.x.data(), dim, q.codes.data());
  return q;
}

double centre_dot(const Query& q, const Shard& s) {
  double d = 0;
  for (uint32_t i = 0; i < s.dim(); ++i) d += double(q.x[i]) * s.centre()[i];
  return d;
}

float exact_score(const Query& q, const Shard& s, uint32_t row, const int8_t* v, double centre_part) {
  double d = 0;
  for (uint32_t i = 0; i < s.dim(); ++i) d += double(q.x[i]) * double(v[i]);
  return clamp_cosine(float(centre_part + double(s.scale(row)) * d));
}

std::vector<uint8_t> query_bits(const Query& q, const Shard& s) {
  std::vector<float> diff(s.dim());
  for (uint32_t i = 0; i < s.dim(); ++i) diff[i] = q.x[i] - s.centre()[i];
  std::vector<uint8_t> bits(s.dim() / 8);
  binarize(diff.data(), s.dim(), bits.data());
  return bits;
}

void set_candidates(Query& q, Candidates& by_int8, Candidates& by_bits) {
  std::vector<Candidate> picked = by_int8.take_sorted();
  const std::vector<Candidate> from_bits = by_bits.take_sorted();
  picked.insert(picked.end(), from_bits.begin(), from_bits.end());
  std::sort(picked.begin(), picked.end(), [](const Candidate& a, const Candidate& b) {
    return a.shard != b.shard ? a.shard < b.shard : a.row < b.row;
  });
  q.candidates.clear();
  q.candidates.reserve(picked.size());
  for (const Candidate& c : picked) q.candidates.push_back(RowRef{c.shard, c.row});
}

}  // namespace scoring
}  // namespace clip
