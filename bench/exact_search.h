// The ground truth recall is measured against: exact float inner-product
// top-k, computed by FAISS's BLAS path (a matrix product over all queries at
// once: seconds for 1M vectors where a plain loop takes minutes).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace bench {

// Best first, for each of the queries (nq * dim floats) among n base vectors.
std::vector<std::vector<uint32_t>> exact_top_k(const float* base, size_t n, const std::vector<float>& queries,
                                               size_t dim, size_t k);

}  // namespace bench
