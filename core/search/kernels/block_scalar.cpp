// Reference block kernel: the plain triple loop every other variant must
// match exactly.
#include "core/search/kernels.h"

namespace clip {

void dot_i8_block_scalar(const int8_t* queries, size_t nq, const int8_t* rows, size_t n, size_t dim, int32_t* out) {
  for (size_t i = 0; i < nq; ++i) {
    const int8_t* q = queries + i * dim;
    for (size_t r = 0; r < n; ++r) {
      const int8_t* v = rows + r * dim;
      int32_t sum = 0;
      for (size_t d = 0; d < dim; ++d) sum += int32_t(q[d]) * int32_t(v[d]);
      out[i * n + r] = sum;
    }
  }
}

}  // namespace clip
