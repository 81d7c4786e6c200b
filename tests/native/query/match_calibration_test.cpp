// Match calibration on a small synthetic index: clustered image vectors, a
// query aimed at one cluster, and unrelated queries in random directions.
#include "core/query/match_calibration.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <random>

#include "core/index/shard.h"
#include "core/search/kernels.h"

namespace clip {
namespace {

constexpr uint32_t kDim = 64;

std::vector<float> random_unit(std::mt19937& rng) {
  std::normal_distribution<float> n(0, 1);
  std::vector<float> v(kDim);
  for (auto& x : v) x = n(rng);
  l2_normalize(v.data(), kDim);
  return v;
}

// 8 clusters of 40 images each: centre + noise.
struct Fixture {
  std::vector<std::vector<float>> centres;
  Searcher searcher;
  ScoreSample sample;

  Fixture() {
    std::mt19937 rng(7);
    for (int c = 0; c < 8; ++c) centres.push_back(random_unit(rng));
    ShardContents contents;
    contents.model_fingerprint = "calibration-test";
    contents.dim = kDim;
    for (uint32_t i = 0; i < 320; ++i) {
      ImageRecord rec;
      rec.id = "img-" + std::to_string(i);
      contents.records.push_back(rec);
      const auto noise = random_unit(rng);
      for (uint32_t d = 0; d < kDim; ++d) contents.embeddings.push_back(centres[i % 8][d] + 0.6f * noise[d]);
    }
    auto bytes = encode_shard(contents);
    EXPECT_TRUE(bytes.ok());
    auto shard = Shard::parse(std::move(*bytes), "test");
    EXPECT_TRUE(shard.ok());
    EXPECT_TRUE(searcher.add_shard(std::make_shared<const Shard>(std::move(*shard))).ok());
    sample = sample_index_rows(searcher);
  }

  // One row per calibration caption, in random directions: unrelated text.
  std::vector<float> unrelated_captions() const {
    std::mt19937 rng(99);
    std::vector<float> out;
    for (size_t i = 0; i < calibration_captions().size(); ++i) {
      auto v = random_unit(rng);
      out.insert(out.end(), v.begin(), v.end());
    }
    return out;
  }

  float top_score(const std::vector<float>& q) const {
    SearchOptions o;
    o.k = 1;
    return searcher.search(q.data(), kDim, o)->front().score;
  }
};

TEST(MatchCalibration, LiftIsTheTopScoreMinusTheMedianScore) {
  Searcher s;
  ShardContents c;
  c.model_fingerprint = "fp";
  c.dim = 8;
  for (int i = 0; i < 3; ++i) {
    c.records.emplace_back();
    c.records.back().id = "r" + std::to_string(i);
    for (int d = 0; d < 8; ++d) c.embeddings.push_back(d == i ? 1.0f : 0.0f);
  }
  ASSERT_TRUE(s.add_shard(std::make_shared<const Shard>(*Shard::parse(*encode_shard(c), "s"))).ok());
  const ScoreSample sample = sample_index_rows(s);
  ASSERT_EQ(sample.rows(), 3u);
  // Query (1, 0.5, 0, ...): scores 0.894, 0.447, 0 -> median 0.447.
  const std::vector<float> q = {1, 0.5f, 0, 0, 0, 0, 0, 0};
  EXPECT_NEAR(score_lift(0.9f, q.data(), 8, sample), 0.9f - 0.5f / std::sqrt(1.25f), 2e-3);
  EXPECT_EQ(score_lift(0.9f, q.data(), 8, ScoreSample{}), 0.9f);
}

TEST(MatchCalibration, SampleIsEvenlySpacedAndBounded) {
  Fixture f;
  EXPECT_EQ(f.sample.rows(), 320u);
  EXPECT_EQ(sample_index_rows(f.searcher, 10).rows(), 10u);
}

TEST(MatchCalibration, AQueryAtAClusterIsCloseAndRandomOnesAreNot) {
  Fixture f;
  auto text = unrelated_text_lifts(f.searcher, f.sample, f.unrelated_captions());
  ASSERT_TRUE(text.ok()) << text.message();
  ASSERT_EQ(text->size(), calibration_captions().size());
  EXPECT_TRUE(std::is_sorted(text->begin(), text->end()));

  const auto& centre = f.centres[3];
  MatchVerdict hit = judge_match(*text, f.top_score(centre), centre.data(), kDim, f.sample);
  EXPECT_EQ(hit.level, MatchLevel::kClose);
  EXPECT_EQ(hit.percentile, 1.0f);
  EXPECT_EQ(hit.unrelated, calibration_captions().size());

  // Other random directions are unrelated queries too: about half fall
  // below the median of the band, few above its 90th percentile.
  std::mt19937 rng(12345);
  int none = 0, close = 0;
  for (int i = 0; i < 200; ++i) {
    const auto q = random_unit(rng);
    const MatchLevel level = judge_match(*text, f.top_score(q), q.data(), kDim, f.sample).level;
    none += level == MatchLevel::kNone;
    close += level == MatchLevel::kClose;
  }
  EXPECT_GT(none, 60);
  EXPECT_LT(close, 50);
}

TEST(MatchCalibration, ImageQueriesAreJudgedAgainstTheIndexItself) {
  Fixture f;
  auto image = unrelated_image_lifts(f.searcher, f.sample);
  ASSERT_TRUE(image.ok()) << image.message();
  EXPECT_EQ(image->size(), kImageCalibrationQueries);
  // Its nearest neighbour is a cluster mate, so an indexed image is as close
  // as the band says images here get; a random direction is far below it.
  std::mt19937 rng(5);
  const auto q = random_unit(rng);
  EXPECT_EQ(judge_match(*image, f.top_score(q), q.data(), kDim, f.sample).level, MatchLevel::kNone);
  const auto& centre = f.centres[0];
  EXPECT_NE(judge_match(*image, f.top_score(centre), centre.data(), kDim, f.sample).level, MatchLevel::kNone);
}

TEST(MatchCalibration, WithoutUnrelatedQueriesTheVerdictIsWeak) {
  Fixture f;
  const auto& centre = f.centres[0];
  EXPECT_EQ(judge_match({}, 0.9f, centre.data(), kDim, f.sample).level, MatchLevel::kWeak);
}

TEST(MatchCalibration, CaptionCountMustMatch) {
  Fixture f;
  auto r = unrelated_text_lifts(f.searcher, f.sample, std::vector<float>(kDim * 3));
  EXPECT_NE(r.message().find("expected 64 captions x 64"), std::string::npos) << r.message();
}

TEST(MatchCalibration, ThresholdsSplitThePercentiles) {
  const std::vector<float> band = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f, 0.9f, 1.0f};
  ScoreSample zero;  // lift = top score when there is no sample
  const float q = 1;
  EXPECT_EQ(judge_match(band, 0.25f, &q, 1, zero).level, MatchLevel::kNone);   // beats 20%
  EXPECT_EQ(judge_match(band, 0.65f, &q, 1, zero).level, MatchLevel::kWeak);   // beats 60%
  EXPECT_EQ(judge_match(band, 0.95f, &q, 1, zero).level, MatchLevel::kClose);  // beats 90%
}

TEST(MatchCalibration, UnknownWordsMeanNoCloseMatch) {
  MatchVerdict v;
  v.level = MatchLevel::kClose;
  v.percentile = 0.97f;
  v.unrelated = 64;
  EXPECT_EQ(describe_match(v, "demo-shapes"), "close match (the best result stands out more than 97% of 64 unrelated queries do)");
  apply_unknown_words(v, {});
  EXPECT_EQ(v.level, MatchLevel::kClose);
  apply_unknown_words(v, {"dog", "beach"});
  EXPECT_EQ(v.level, MatchLevel::kNone);
  EXPECT_EQ(describe_match(v, "demo-shapes"),
            "no close match, showing the nearest (the best result stands out more than 97% of 64 unrelated queries "
            "do); the demo-shapes model does not know: dog, beach");
  EXPECT_STREQ(match_level_name(MatchLevel::kWeak), "weak");
}

}  // namespace
}  // namespace clip
