#include "bench/exact_search.h"

#include <faiss/utils/distances.h>

namespace bench {

std::vector<std::vector<uint32_t>> exact_top_k(const float* base, size_t n, const std::vector<float>& queries,
                                               size_t dim, size_t k) {
  const size_t nq = queries.size() / dim;
  std::vector<float> scores(nq * k);
  std::vector<int64_t> rows(nq * k);
  // Below this many queries FAISS scores one query at a time; the truth
  // does not need to be computed the way the timed single-query rows are.
  const int threshold = faiss::distance_compute_blas_threshold;
  faiss::distance_compute_blas_threshold = 1;
  faiss::knn_inner_product(queries.data(), base, dim, nq, n, k, scores.data(), rows.data());
  faiss::distance_compute_blas_threshold = threshold;
  std::vector<std::vector<uint32_t>> out(nq);
  for (size_t q = 0; q < nq; ++q)
    for (size_t j = 0; j < k && j < n; ++j) out[q].push_back(uint32_t(rows[q * k + j]));
  return out;
}

}  // namespace bench
