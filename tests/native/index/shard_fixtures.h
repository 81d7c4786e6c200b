// Small shards for the index tests: deterministic embeddings and records.
#pragma once
#include <cmath>
#include <cstdint>
#include <string>

#include <gtest/gtest.h>

#include "core/index/shard.h"

namespace clip {
namespace test {

inline ShardContents make_contents(uint32_t count, uint32_t dim, bool binary = true, uint32_t seed = 1) {
  ShardContents c;
  c.model_fingerprint = "demo-model-fp-0123";
  c.dim = dim;
  c.with_binary_codes = binary;
  uint32_t state = seed * 2654435761u + 1;
  auto next = [&state] {  // LCG: enough variety for embeddings and hashes
    state = state * 1664525u + 1013904223u;
    return state >> 8;
  };
  for (uint32_t r = 0; r < count; ++r) {
    ImageRecord rec;
    rec.id = "img-" + std::to_string(seed) + "-" + std::to_string(r);
    rec.caption = r % 3 == 0 ? "" : "a photo of thing " + std::to_string(r);
    rec.source = "photos/" + std::to_string(r) + ".jpg";
    rec.thumb = r % 2 ? "thumbs/" + std::to_string(r) + ".jpg" : "";
    rec.width = 100 + r;
    rec.height = 200 + 2 * r;
    for (auto& b : rec.content_sha256) b = uint8_t(next());
    c.records.push_back(rec);
    for (uint32_t i = 0; i < dim; ++i) c.embeddings.push_back(float(int(next() % 2001) - 1000) / 1000.0f);
  }
  return c;
}

inline std::vector<uint8_t> encode_or_die(const ShardContents& c, uint32_t version = kShardVersion) {
  auto bytes = encode_shard(c, version);
  if (!bytes) {
    ADD_FAILURE() << bytes.message();
    return {};
  }
  return std::move(*bytes);
}

}  // namespace test
}  // namespace clip
