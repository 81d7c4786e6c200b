// Row accessors of a parsed shard, and version 2's lookup keys.
#include "core/index/shard.h"

#include "core/search/kernels.h"
#include "core/search/rotation.h"
#include "core/util/byte_reader.h"
#include "core/util/sha256.h"

namespace clip {

uint32_t id_key(std::string_view id) { return load_le32(sha256(id.data(), id.size()).data()); }

uint32_t content_key(const std::array<uint8_t, 32>& content_sha256) { return load_le32(content_sha256.data()); }

float Shard::scale(uint32_t row) const { return load_le_f32(bytes_.data() + scales_at_ + size_t(row) * 4); }

std::vector<float> Shard::embedding(uint32_t row, const int8_t* codes) const {
  std::vector<float> out(dim_);
  const float s = scale(row);
  for (uint32_t i = 0; i < dim_; ++i) out[i] = centre_[i] + float(codes[i]) * s;
  unrotate(out.data(), dim_);
  l2_normalize(out.data(), dim_);
  return out;
}

}  // namespace clip
