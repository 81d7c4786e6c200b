// Searcher behaviour over several shards: ranking, ties, threshold,
// exclusion, id lookup, binary first pass, and the errors it reports.
#include "core/search/search.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/search/kernels.h"
#include "core/search/rotation.h"
#include "core/util/sha256.h"
#include "tests/native/search/search_fixtures.h"

namespace clip {
namespace {

TEST(Search, RanksLikeAPlainLoop) {
  Fixture f;
  EXPECT_EQ(f.searcher.size(), 1807u);
  for (uint32_t seed = 0; seed < 20; ++seed) {
    const auto query = random_query(64, 100 + seed);
    for (size_t k : {1, 10, 200}) {
      SearchOptions o;
      o.k = k;
      auto hits = f.searcher.search(query.data(), query.size(), o);
      ASSERT_TRUE(hits) << hits.message();
      expect_same_hits(*hits, brute_force(f.searcher, query, o));
    }
  }
}

TEST(Search, StoredVectorFindsItselfFirst) {
  Fixture f;
  const ShardContents& c = f.contents[2];
  const std::vector<float> x(c.embeddings.begin() + 42 * 64, c.embeddings.begin() + 43 * 64);
  auto hits = f.searcher.search(x.data(), x.size(), SearchOptions());
  ASSERT_TRUE(hits) << hits.message();
  ASSERT_FALSE(hits->empty());
  EXPECT_EQ((*hits)[0].shard, 2u);
  EXPECT_EQ((*hits)[0].row, 42u);
  EXPECT_NEAR((*hits)[0].score, 1.0f, 1e-3);
  for (const Hit& h : *hits) {
    EXPECT_LE(h.score, 1.0f);
    EXPECT_GE(h.score, -1.0f);
  }
}

TEST(Search, EqualScoresRankByShardThenRow) {
  // Two identical shards (but for the ids) holding the same vector twice:
  // four exact ties, at rows 0 and 1 of shard 0, then of shard 1.
  ShardContents a = random_contents(4, 16, 9, "a");
  std::copy(a.embeddings.begin(), a.embeddings.begin() + 16, a.embeddings.begin() + 16);
  ShardContents b = a;
  for (uint32_t r = 0; r < 4; ++r) b.records[r].id = "b" + std::to_string(r);
  Searcher s;
  ASSERT_TRUE(s.add_shard(make_shard(a, "a")));
  ASSERT_TRUE(s.add_shard(make_shard(b, "b")));
  SearchOptions o;
  o.k = 3;
  const std::vector<float> q(a.embeddings.begin(), a.embeddings.begin() + 16);
  auto hits = s.search(q.data(), 16, o);
  ASSERT_TRUE(hits);
  ASSERT_EQ(hits->size(), 3u);
  EXPECT_EQ((*hits)[0].shard, 0u);
  EXPECT_EQ((*hits)[0].row, 0u);
  EXPECT_EQ((*hits)[1].shard, 0u);
  EXPECT_EQ((*hits)[1].row, 1u);
  EXPECT_EQ((*hits)[2].shard, 1u);
  EXPECT_EQ((*hits)[2].row, 0u);
  EXPECT_EQ((*hits)[0].score, (*hits)[2].score);
  o.k = 4;
  hits = s.search(q.data(), 16, o);
  ASSERT_TRUE(hits);
  EXPECT_EQ((*hits)[3].shard, 1u);
  EXPECT_EQ((*hits)[3].row, 1u);
}

TEST(Search, MinScoreAndExcludeId) {
  Fixture f;
  const ShardContents& c = f.contents[0];
  const std::vector<float> x(c.embeddings.begin() + 5 * 64, c.embeddings.begin() + 6 * 64);
  SearchOptions o;
  o.k = 50;
  o.exclude_id = "a5";
  o.min_score = 0.3f;  // random 64-d cosines have sd 1/8: a few of 1807 pass
  auto hits = f.searcher.search(x.data(), x.size(), o);
  ASSERT_TRUE(hits) << hits.message();
  EXPECT_GT(hits->size(), 0u);
  EXPECT_LT(hits->size(), 50u);
  for (const Hit& h : *hits) {
    EXPECT_GE(h.score, 0.3f);
    EXPECT_FALSE(h.shard == 0 && h.row == 5);
  }
  expect_same_hits(*hits, brute_force(f.searcher, x, o));

  o.min_score = 1.1f;  // nothing can pass
  hits = f.searcher.search(x.data(), x.size(), o);
  ASSERT_TRUE(hits);
  EXPECT_TRUE(hits->empty());
}

TEST(Search, FindId) {
  Fixture f;
  uint32_t shard = 99, row = 99;
  ASSERT_TRUE(f.searcher.find_id("c299", &shard, &row));
  EXPECT_EQ(shard, 2u);
  EXPECT_EQ(row, 299u);
  EXPECT_EQ(f.searcher.shard(shard).record(row).id, "c299");
  EXPECT_FALSE(f.searcher.find_id("c300", &shard, &row));
  EXPECT_FALSE(f.searcher.find_id("", &shard, &row));
}

// An indexed photo dropped as a query is recognised by the SHA-256 of its
// file, in whichever shard it sits.
TEST(Search, FindContent) {
  Fixture f;
  auto tagged = random_contents(4, 64, 9, "photo-");
  for (uint32_t r = 0; r < 4; ++r) tagged.records[r].content_sha256 = sha256(&r, sizeof r);
  ASSERT_TRUE(f.searcher.add_shard(make_shard(tagged, "shard-3")));
  const uint32_t two = 2, five = 5;
  EXPECT_EQ(f.searcher.find_content(sha256(&two, sizeof two)), "photo-2");
  EXPECT_EQ(f.searcher.find_content(sha256(&five, sizeof five)), "");
}

TEST(Search, BinaryFirstPassWithFullOversampleEqualsExhaustive) {
  Fixture f;
  for (uint32_t seed = 0; seed < 10; ++seed) {
    const auto query = random_query(64, 200 + seed);
    SearchOptions exact;
    exact.k = 10;
    SearchOptions binary = exact;
    binary.binary_first_pass = true;
    binary.oversample = 1000;  // every row becomes a candidate
    auto a = f.searcher.search(query.data(), 64, exact), b = f.searcher.search(query.data(), 64, binary);
    ASSERT_TRUE(a && b);
    expect_same_hits(*b, *a);
  }
}

TEST(Search, DefaultOversampleGrowsWithTheIndex) {
  // Small indexes keep the floor; past it, candidates grow with the rows.
  EXPECT_EQ(default_oversample(0), kMinOversample);
  EXPECT_EQ(default_oversample(10 * kOversampleStepRows), kMinOversample);
  EXPECT_EQ(default_oversample(50 * kOversampleStepRows), 50u);
  size_t last = 0;
  for (size_t n = 0; n <= 2000000; n += 50000) {
    EXPECT_GE(default_oversample(n), last) << n;
    last = default_oversample(n);
  }
}

TEST(Search, BinaryFirstPassFindsNearDuplicates) {
  Fixture f;
  const ShardContents& c = f.contents[0];
  std::vector<float> x(c.embeddings.begin() + 1234 * 64, c.embeddings.begin() + 1235 * 64);
  for (size_t i = 0; i < x.size(); i += 7) x[i] *= 1.05f;  // a slightly edited copy
  SearchOptions o;
  o.k = 1;
  o.binary_first_pass = true;
  o.oversample = 2;
  auto hits = f.searcher.search(x.data(), x.size(), o);
  ASSERT_TRUE(hits) << hits.message();
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ((*hits)[0].shard, 0u);
  EXPECT_EQ((*hits)[0].row, 1234u);
  EXPECT_GT((*hits)[0].score, 0.99f);
}

TEST(Search, BinaryFirstPassScoresShardsWithoutCodesExhaustively) {
  Fixture f(64, /*binary=*/false);
  const auto query = random_query(64, 7);
  SearchOptions exact;
  exact.k = 10;
  SearchOptions binary = exact;
  binary.binary_first_pass = true;
  auto a = f.searcher.search(query.data(), 64, exact), b = f.searcher.search(query.data(), 64, binary);
  ASSERT_TRUE(a && b);
  expect_same_hits(*b, *a);
}

TEST(Search, KLargerThanIndexReturnsEverything) {
  Fixture f;
  const auto query = random_query(64, 8);
  SearchOptions o;
  o.k = 1000000;
  for (bool binary : {false, true}) {
    o.binary_first_pass = binary;
    auto hits = f.searcher.search(query.data(), 64, o);
    ASSERT_TRUE(hits);
    EXPECT_EQ(hits->size(), f.searcher.size());
  }
  o.k = 0;
  auto hits = f.searcher.search(query.data(), 64, o);
  ASSERT_TRUE(hits);
  EXPECT_TRUE(hits->empty());
}

TEST(Search, RefusesMismatchedShards) {
  Searcher s;
  ASSERT_TRUE(s.add_shard(make_shard(random_contents(5, 32, 1, "x"), "shard-00000.bin")));

  Status st = s.add_shard(make_shard(random_contents(5, 64, 2, "y"), "shard-00001.bin"));
  ASSERT_FALSE(st);
  EXPECT_NE(st.message().find("shard-00001.bin: dim 64 does not match dim 32"), std::string::npos) << st.message();

  ShardContents other = random_contents(5, 32, 3, "z");
  other.model_fingerprint = "fp-2";
  st = s.add_shard(make_shard(other, "shard-00002.bin"));
  ASSERT_FALSE(st);
  EXPECT_NE(st.message().find("fingerprint"), std::string::npos) << st.message();

  // An id already present: refused, and the searcher is unchanged.
  ShardContents dup = random_contents(5, 32, 4, "w");
  dup.records[3].id = "x1";
  st = s.add_shard(make_shard(dup, "shard-00003.bin"));
  ASSERT_FALSE(st);
  EXPECT_NE(st.message().find("id \"x1\" is already used by shard-00000.bin row 1"), std::string::npos)
      << st.message();
  uint32_t shard, row;
  EXPECT_FALSE(s.find_id("w0", &shard, &row));
  ASSERT_TRUE(s.find_id("x1", &shard, &row));
  EXPECT_EQ(shard, 0u);
  EXPECT_EQ(s.shard_count(), 1u);
  EXPECT_EQ(s.size(), 5u);

  EXPECT_FALSE(s.add_shard(nullptr));
}

TEST(Search, RefusesBadQueries) {
  Searcher empty;
  std::vector<float> q(32, 1.0f);
  EXPECT_FALSE(empty.search(q.data(), 32, SearchOptions()));

  Searcher s;
  ASSERT_TRUE(s.add_shard(make_shard(random_contents(5, 32, 1, "x"), "s")));
  auto r = s.search(q.data(), 16, SearchOptions());
  ASSERT_FALSE(r);
  EXPECT_NE(r.message().find("dim 16"), std::string::npos) << r.message();
  std::vector<float> zero(32, 0.0f);
  EXPECT_FALSE(s.search(zero.data(), 32, SearchOptions()));
  q[3] = std::nanf("");
  EXPECT_FALSE(s.search(q.data(), 32, SearchOptions()));
  q[3] = INFINITY;
  EXPECT_FALSE(s.search(q.data(), 32, SearchOptions()));
}

}  // namespace
}  // namespace clip
