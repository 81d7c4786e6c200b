#include "core/query/query_combine.h"

#include <cmath>
#include <string>

#include "core/search/kernels.h"

namespace clip {

Result<std::vector<float>> combine_term_embeddings(const std::vector<float>& embeddings,
                                                   const std::vector<float>& weights, size_t dim) {
  if (dim == 0 || weights.empty()) return make_error("query: no terms to combine");
  if (embeddings.size() != weights.size() * dim)
    return make_error("query: " + std::to_string(embeddings.size()) + " floats for " +
                      std::to_string(weights.size()) + " terms of dimension " + std::to_string(dim));
  std::vector<double> sum(dim, 0.0);
  double total_weight = 0;
  std::vector<float> row(dim);
  for (size_t t = 0; t < weights.size(); ++t) {
    const float w = weights[t];
    if (!std::isfinite(w)) return make_error("query: term " + std::to_string(t + 1) + " has a weight that is not finite");
    row.assign(embeddings.begin() + long(t * dim), embeddings.begin() + long((t + 1) * dim));
    for (float v : row)
      if (!std::isfinite(v)) return make_error("query: the embedding of term " + std::to_string(t + 1) + " is not finite");
    if (l2_normalize(row.data(), dim) == 0.0f)
      return make_error("query: the embedding of term " + std::to_string(t + 1) + " is all zeros");
    for (size_t i = 0; i < dim; ++i) sum[i] += double(w) * double(row[i]);
    total_weight += std::fabs(double(w));
  }
  double norm2 = 0;
  for (double v : sum) norm2 += v * v;
  if (!(std::sqrt(norm2) > 1e-6 * total_weight))
    return make_error("query: the terms cancel out (their weighted sum has no direction)");
  std::vector<float> out(dim);
  for (size_t i = 0; i < dim; ++i) out[i] = float(sum[i]);
  l2_normalize(out.data(), dim);
  return out;
}

}  // namespace clip
