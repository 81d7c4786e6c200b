// Row accessors of a parsed shard.
#include "core/index/shard.h"

#include "core/search/kernels.h"
#include "core/search/rotation.h"
#include "core/util/byte_reader.h"

namespace clip {

float Shard::scale(uint32_t row) const { return load_le_f32(bytes_.data() + scales_at_ + size_t(row) * 4); }

std::vector<float> Shard::embedding(uint32_t row) const {
  std::vector<float> out(dim_);
  const int8_t* v = vector(row);
  const float s = scale(row);
  for (uint32_t i = 0; i < dim_; ++i) out[i] = centre_[i] + float(v[i]) * s;
  unrotate(out.data(), dim_);
  l2_normalize(out.data(), dim_);
  return out;
}

}  // namespace clip
