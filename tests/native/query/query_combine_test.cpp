// Combining term embeddings into one query vector.
#include "core/query/query_combine.h"

#include <gtest/gtest.h>

#include <cmath>

namespace clip {
namespace {

float dot(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += double(a[i]) * double(b[i]);
  return float(s);
}

TEST(QueryCombine, OneTermIsItsNormalisedEmbedding) {
  auto q = combine_term_embeddings({3, 0, 4, 0}, {1}, 4);
  ASSERT_TRUE(q.ok()) << q.message();
  EXPECT_FLOAT_EQ((*q)[0], 0.6f);
  EXPECT_FLOAT_EQ((*q)[2], 0.8f);
}

TEST(QueryCombine, TermsAreNormalisedBeforeWeighting) {
  // A long vector does not outweigh a short one: only the weights count.
  auto q = combine_term_embeddings({100, 0, 0, 1}, {1, 1}, 2);
  ASSERT_TRUE(q.ok());
  EXPECT_NEAR((*q)[0], std::sqrt(0.5f), 1e-6);
  EXPECT_NEAR((*q)[1], std::sqrt(0.5f), 1e-6);
  auto w = combine_term_embeddings({1, 0, 0, 1}, {2, 1}, 2);
  EXPECT_NEAR((*w)[0] / (*w)[1], 2.0f, 1e-6);
}

TEST(QueryCombine, ANegativeTermPointsAwayFromIt) {
  // "a red circle - red + blue": red component removed, blue added.
  const std::vector<float> red_circle = {0.6f, 0.8f, 0}, red = {1, 0, 0}, blue = {0, 0, 1};
  std::vector<float> rows = red_circle;
  rows.insert(rows.end(), red.begin(), red.end());
  rows.insert(rows.end(), blue.begin(), blue.end());
  auto q = combine_term_embeddings(rows, {1, -1, 1}, 3);
  ASSERT_TRUE(q.ok());
  EXPECT_LT(dot(*q, red), 0.0f);
  EXPECT_GT(dot(*q, blue), dot(red_circle, blue));
  EXPECT_NEAR(dot(*q, *q), 1.0f, 1e-6);
}

TEST(QueryCombine, OnlyNegativeTermsGiveTheOppositeDirection) {
  auto q = combine_term_embeddings({0, 2}, {-1}, 2);
  ASSERT_TRUE(q.ok());
  EXPECT_FLOAT_EQ((*q)[1], -1.0f);
}

TEST(QueryCombine, BadInputIsAnError) {
  EXPECT_NE(combine_term_embeddings({1, 0, 1, 0}, {1, -1}, 2).message().find("cancel out"), std::string::npos);
  EXPECT_NE(combine_term_embeddings({0, 0}, {1}, 2).message().find("term 1 is all zeros"), std::string::npos);
  EXPECT_NE(combine_term_embeddings({1, 0, NAN, 0}, {1, 1}, 2).message().find("term 2 is not finite"),
            std::string::npos);
  EXPECT_NE(combine_term_embeddings({1, 0}, {INFINITY}, 2).message().find("not finite"), std::string::npos);
  EXPECT_NE(combine_term_embeddings({1, 0, 1}, {1, 1}, 2).message().find("3 floats for 2 terms"), std::string::npos);
  EXPECT_FALSE(combine_term_embeddings({}, {}, 2).ok());
}

}  // namespace
}  // namespace clip
