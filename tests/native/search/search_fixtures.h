// Shards of random vectors, a searcher over three of them, and the ranking
// a plain loop gives: what the search tests compare the Searcher with.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/index/shard.h"
#include "core/search/kernels.h"
#include "core/search/rotation.h"
#include "core/search/search.h"

namespace clip {

inline ShardContents random_contents(uint32_t count, uint32_t dim, uint32_t seed, const std::string& id_prefix,
                              bool binary = true) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> g(0, 1);
  ShardContents c;
  c.model_fingerprint = "fp-1";
  c.dim = dim;
  c.with_binary_codes = binary;
  for (uint32_t r = 0; r < count; ++r) {
    ImageRecord rec;
    rec.id = id_prefix + std::to_string(r);
    c.records.push_back(rec);
    for (uint32_t i = 0; i < dim; ++i) c.embeddings.push_back(g(rng));
  }
  return c;
}

inline std::shared_ptr<const Shard> make_shard(const ShardContents& c, const std::string& name) {
  auto bytes = encode_shard(c);
  EXPECT_TRUE(bytes) << bytes.message();
  auto shard = Shard::parse(std::move(*bytes), name);
  EXPECT_TRUE(shard) << shard.message();
  return std::make_shared<const Shard>(std::move(*shard));
}

// Three shards of different sizes (one larger than a scoring block).
struct Fixture {
  std::vector<ShardContents> contents;
  Searcher searcher;
  explicit Fixture(uint32_t dim = 64, bool binary = true) {
    contents = {random_contents(1500, dim, 1, "a", binary), random_contents(7, dim, 2, "b", binary),
                random_contents(300, dim, 3, "c", binary)};
    for (size_t i = 0; i < contents.size(); ++i) {
      Status st = searcher.add_shard(make_shard(contents[i], "shard-" + std::to_string(i)));
      EXPECT_TRUE(st) << st.message();
    }
  }
};

// The expected ranking by a plain loop over every row, with the documented
// score (docs/FORMAT.md: <x, centre> + scale * <x, codes>, in double, x the
// normalised, rotated query) and tie order.
inline std::vector<Hit> brute_force(const Searcher& s, std::vector<float> x, const SearchOptions& o) {
  l2_normalize(x.data(), x.size());
  rotate(x.data(), x.size());
  std::vector<Hit> all;
  for (uint32_t si = 0; si < s.shard_count(); ++si) {
    const Shard& sh = s.shard(si);
    double centre_part = 0;
    for (uint32_t i = 0; i < sh.dim(); ++i) centre_part += double(x[i]) * sh.centre()[i];
    for (uint32_t r = 0; r < sh.count(); ++r) {
      double dot = 0;
      for (uint32_t i = 0; i < sh.dim(); ++i) dot += double(x[i]) * double(sh.vector(r)[i]);
      const float score = std::min(1.0f, std::max(-1.0f, float(centre_part + double(sh.scale(r)) * dot)));
      if (score >= o.min_score && sh.record(r).id != o.exclude_id) all.push_back({si, r, score});
    }
  }
  std::sort(all.begin(), all.end(), [](const Hit& a, const Hit& b) {
    if (a.score != b.score) return a.score > b.score;
    return a.shard != b.shard ? a.shard < b.shard : a.row < b.row;
  });
  if (all.size() > o.k) all.resize(o.k);
  return all;
}

inline void expect_same_hits(const std::vector<Hit>& got, const std::vector<Hit>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].shard, want[i].shard) << "hit " << i;
    EXPECT_EQ(got[i].row, want[i].row) << "hit " << i;
    EXPECT_EQ(got[i].score, want[i].score) << "hit " << i;
  }
}

inline std::vector<float> random_query(uint32_t dim, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> g(0, 1);
  std::vector<float> q(dim);
  for (auto& v : q) v = 3.0f * g(rng);  // not normalised: search() does that
  return q;
}

}  // namespace clip
