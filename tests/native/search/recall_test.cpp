// Search quality against exact float cosine on 20k synthetic CLIP-like
// vectors (the full-size measurement is bench/recall.cpp, 100k vectors).
#include <gtest/gtest.h>

#include <cstdio>

#include "bench/synthetic_embeddings.h"
#include "core/search/search.h"

namespace clip {
namespace {

class Recall : public ::testing::Test {
 protected:
  static constexpr size_t kDim = 512, kBase = 20000, kQueries = 200, kShardRows = 8000, kK = 10;

  static void SetUpTestSuite() {
    const synthetic::EmbeddingModel model(kDim, 42);
    const std::vector<float> base = model.sample(kBase, 43);
    queries_ = new std::vector<float>(model.sample(kQueries, 44));
    truth_ = new std::vector<std::vector<uint32_t>>(synthetic::exact_top_k(base, *queries_, kDim, kK));
    searcher_ = new Searcher;
    for (size_t s0 = 0; s0 < kBase; s0 += kShardRows) {
      ShardContents c;
      c.dim = kDim;
      const size_t rows = std::min(kShardRows, kBase - s0);
      c.records.resize(rows);
      for (size_t r = 0; r < rows; ++r) c.records[r].id = std::to_string(s0 + r);
      c.embeddings.assign(base.begin() + long(s0 * kDim), base.begin() + long((s0 + rows) * kDim));
      auto bytes = encode_shard(c);
      ASSERT_TRUE(bytes) << bytes.message();
      auto shard = Shard::parse(std::move(*bytes), "shard");
      ASSERT_TRUE(shard) << shard.message();
      ASSERT_TRUE(searcher_->add_shard(std::make_shared<const Shard>(std::move(*shard))));
    }
  }
  static void TearDownTestSuite() {
    delete searcher_;
    delete truth_;
    delete queries_;
  }

  static double recall(const SearchOptions& o) {
    std::vector<std::vector<uint32_t>> found(kQueries);
    for (size_t q = 0; q < kQueries; ++q) {
      auto hits = searcher_->search(&(*queries_)[q * kDim], kDim, o);
      EXPECT_TRUE(hits) << hits.message();
      if (!hits) continue;
      for (const Hit& h : *hits) found[q].push_back(uint32_t(h.shard * kShardRows + h.row));
    }
    return synthetic::recall_at_k(*truth_, found);
  }

  static std::vector<float>* queries_;
  static std::vector<std::vector<uint32_t>>* truth_;
  static Searcher* searcher_;
};

std::vector<float>* Recall::queries_ = nullptr;
std::vector<std::vector<uint32_t>>* Recall::truth_ = nullptr;
Searcher* Recall::searcher_ = nullptr;

TEST_F(Recall, Int8ScanIsNearlyExact) {
  SearchOptions o;
  o.k = kK;
  const double r = recall(o);
  RecordProperty("recall_at_10_int8", std::to_string(r));
  std::printf("recall@10 int8 scan: %.4f\n", r);
  EXPECT_GE(r, 0.98);
}

TEST_F(Recall, BinaryFirstPassWithDefaultOversample) {
  SearchOptions o;
  o.k = kK;
  o.binary_first_pass = true;
  const double r = recall(o);
  RecordProperty("recall_at_10_binary_default", std::to_string(r));
  std::printf("recall@10 binary x%zu + rescoring: %.4f\n", default_oversample(kBase), r);
  EXPECT_GE(r, 0.95);
}

TEST_F(Recall, MoreOversamplingNeverHurtsMuch) {
  // Sanity of the knob: 1x is clearly worse than the default, 5x more is not.
  SearchOptions o;
  o.k = kK;
  o.binary_first_pass = true;
  o.oversample = 1;
  const double one = recall(o);
  o.oversample = 5 * default_oversample(kBase);
  const double many = recall(o);
  o.oversample = 0;
  const double def = recall(o);
  std::printf("recall@10 binary x1 %.4f, x%zu %.4f, x%zu %.4f\n", one, default_oversample(kBase), def,
              5 * default_oversample(kBase), many);
  EXPECT_LT(one, def - 0.1);
  EXPECT_GE(many, def - 0.005);
}

}  // namespace
}  // namespace clip
