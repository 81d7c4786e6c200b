// Searcher::search_batch: every query of a batch gets exactly the hits that
// search() gives it alone (int8 and sign-bit first pass, thresholds,
// exclusions, block edges), and bad batches are refused with the query named.
#include <gtest/gtest.h>

#include "core/search/search.h"
#include "tests/native/search/search_fixtures.h"

namespace clip {
namespace {

std::vector<float> queries_of(uint32_t dim, size_t count, uint32_t seed) {
  std::vector<float> all;
  for (size_t i = 0; i < count; ++i) {
    const std::vector<float> q = random_query(dim, seed + uint32_t(i));
    all.insert(all.end(), q.begin(), q.end());
  }
  return all;
}

void expect_batch_equals_single(const Searcher& s, const std::vector<float>& queries, uint32_t dim,
                                const SearchOptions& o, const std::vector<std::string>& exclude = {}) {
  const size_t count = queries.size() / dim;
  auto batch = s.search_batch(queries.data(), count, dim, o, exclude);
  ASSERT_TRUE(batch) << batch.message();
  ASSERT_EQ(batch->size(), count);
  for (size_t i = 0; i < count; ++i) {
    SearchOptions one = o;
    if (!exclude.empty()) one.exclude_id = exclude[i];
    auto single = s.search(queries.data() + i * dim, dim, one);
    ASSERT_TRUE(single) << single.message();
    SCOPED_TRACE("query " + std::to_string(i));
    expect_same_hits((*batch)[i], *single);
  }
}

// 37 queries: two full blocks of 16 and a partial one.
TEST(SearchBatch, EachQueryGetsItsSingleSearchHits) {
  Fixture f;
  const std::vector<float> queries = queries_of(64, 37, 100);
  SearchOptions o;
  o.k = 10;
  expect_batch_equals_single(f.searcher, queries, 64, o);
  o.k = 1;
  expect_batch_equals_single(f.searcher, queries, 64, o);
  o.k = 5000;  // more than the index holds
  expect_batch_equals_single(f.searcher, queries, 64, o);
}

TEST(SearchBatch, BinaryFirstPassAndThreshold) {
  Fixture f;
  const std::vector<float> queries = queries_of(64, 20, 200);
  SearchOptions o;
  o.k = 7;
  o.binary_first_pass = true;
  expect_batch_equals_single(f.searcher, queries, 64, o);
  o.binary_first_pass = false;
  o.min_score = 0.2f;
  expect_batch_equals_single(f.searcher, queries, 64, o);
}

TEST(SearchBatch, StoredRowsFindThemselvesUnlessExcluded) {
  Fixture f;
  std::vector<float> queries;
  std::vector<std::string> ids;
  for (uint32_t row : {0u, 1u, 1023u, 1024u, 1499u}) {
    const std::vector<float> e = f.searcher.shard(0).embedding(row);
    queries.insert(queries.end(), e.begin(), e.end());
    ids.push_back(f.searcher.shard(0).record(row).id);
  }
  SearchOptions o;
  o.k = 3;
  auto found = f.searcher.search_batch(queries.data(), ids.size(), 64, o);
  ASSERT_TRUE(found) << found.message();
  for (size_t i = 0; i < ids.size(); ++i) {
    ASSERT_FALSE((*found)[i].empty());
    const Hit& top = (*found)[i][0];
    EXPECT_EQ(f.searcher.shard(top.shard).record(top.row).id, ids[i]);
    EXPECT_GT(top.score, 0.99f);  // the stored vector is unit only to int8 rounding
  }
  expect_batch_equals_single(f.searcher, queries, 64, o, ids);
  auto excluded = f.searcher.search_batch(queries.data(), ids.size(), 64, o, ids);
  ASSERT_TRUE(excluded);
  for (size_t i = 0; i < ids.size(); ++i)
    for (const Hit& h : (*excluded)[i]) EXPECT_NE(f.searcher.shard(h.shard).record(h.row).id, ids[i]);
}

TEST(SearchBatch, WideVectorsAndShardsWithoutSignBits) {
  Fixture f(520, false);  // 520 = 8 x 64 + 8: the kernels' tails
  const std::vector<float> queries = queries_of(520, 9, 300);
  SearchOptions o;
  o.k = 12;
  o.binary_first_pass = true;  // no codes: scored exhaustively, like search()
  expect_batch_equals_single(f.searcher, queries, 520, o);
}

TEST(SearchBatch, EmptyBatchAndRefusals) {
  Fixture f;
  SearchOptions o;
  auto none = f.searcher.search_batch(nullptr, 0, 64, o);
  ASSERT_TRUE(none) << none.message();
  EXPECT_TRUE(none->empty());

  std::vector<float> queries = queries_of(64, 3, 400);
  std::fill(queries.begin() + 64, queries.begin() + 128, 0.0f);
  auto zero = f.searcher.search_batch(queries.data(), 3, 64, o);
  ASSERT_FALSE(zero);
  EXPECT_NE(zero.message().find("query 1"), std::string::npos) << zero.message();
  EXPECT_NE(zero.message().find("all zeros"), std::string::npos) << zero.message();

  EXPECT_FALSE(f.searcher.search_batch(queries.data(), 1, 32, o));
  const std::vector<std::string> two_ids = {"a0", "a1"};
  auto mismatch = f.searcher.search_batch(queries.data(), 3, 64, o, two_ids);
  ASSERT_FALSE(mismatch);
  EXPECT_NE(mismatch.message().find("2 ids to exclude for 3 queries"), std::string::npos) << mismatch.message();

  Searcher empty;
  EXPECT_FALSE(empty.search_batch(queries.data(), 1, 64, o));
}

}  // namespace
}  // namespace clip
