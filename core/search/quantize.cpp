// Normalisation and quantization shared by the shard writer and the query
// path, so stored vectors and queries are quantized by the same code.
#include <cmath>

#include "core/search/kernels.h"

namespace clip {

float l2_normalize(float* x, size_t dim) {
  double sum = 0;
  for (size_t i = 0; i < dim; ++i) sum += double(x[i]) * double(x[i]);
  const float norm = float(std::sqrt(sum));
  if (norm > 0)
    for (size_t i = 0; i < dim; ++i) x[i] /= norm;
  return norm;
}

double cosine(const float* a, const float* b, size_t dim) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < dim; ++i) {
    ab += double(a[i]) * b[i];
    aa += double(a[i]) * a[i];
    bb += double(b[i]) * b[i];
  }
  return aa > 0 && bb > 0 ? ab / std::sqrt(aa * bb) : 0.0;
}

float quantize_int8(const float* x, size_t dim, int8_t* out) {
  float max_abs = 0;
  for (size_t i = 0; i < dim; ++i) max_abs = std::fmax(max_abs, std::fabs(x[i]));
  if (!(max_abs > 0)) {
    for (size_t i = 0; i < dim; ++i) out[i] = 0;
    return 0;
  }
  const float scale = max_abs / 127.0f;
  for (size_t i = 0; i < dim; ++i) {
    float q = std::round(x[i] / scale);
    q = q > 127.0f ? 127.0f : (q < -127.0f ? -127.0f : q);
    out[i] = int8_t(q);
  }
  return scale;
}

void binarize(const float* x, size_t dim, uint8_t* out) {
  for (size_t j = 0; j < dim / 8; ++j) {
    uint8_t b = 0;
    for (int i = 0; i < 8; ++i) b |= uint8_t(x[8 * j + i] > 0) << i;
    out[j] = b;
  }
}

}  // namespace clip
