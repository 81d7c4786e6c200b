// Zero-shot labels: scores, softmax probabilities, templates, label files.
#include "core/query/zero_shot_labels.h"

#include <gtest/gtest.h>

#include <cmath>

namespace clip {
namespace {

TEST(ZeroShotLabels, SortedByScoreWithSoftmaxProbabilities) {
  // Image along x; labels at 0, 60 and 90 degrees from it, given out of order.
  const std::vector<float> image = {2, 0};
  const std::vector<float> labels = {0, 1, /**/ 1, 0, /**/ 0.5f, std::sqrt(3.0f) / 2};
  auto r = score_labels(image, labels, 2, 10.0f);
  ASSERT_TRUE(r.ok()) << r.message();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].label, 1u);
  EXPECT_EQ((*r)[1].label, 2u);
  EXPECT_EQ((*r)[2].label, 0u);
  EXPECT_NEAR((*r)[0].score, 1.0f, 1e-6);
  EXPECT_NEAR((*r)[1].score, 0.5f, 1e-6);
  EXPECT_NEAR((*r)[2].score, 0.0f, 1e-6);
  const double z = std::exp(10.0) + std::exp(5.0) + 1.0;
  EXPECT_NEAR((*r)[0].prob, std::exp(10.0) / z, 1e-6);
  EXPECT_NEAR((*r)[2].prob, 1.0 / z, 1e-6);
  EXPECT_NEAR((*r)[0].prob + (*r)[1].prob + (*r)[2].prob, 1.0, 1e-6);
}

TEST(ZeroShotLabels, CLIPsLogitScaleDoesNotOverflow) {
  // OpenAI CLIP's logit scale is 100; scores near 1 must not give inf/NaN.
  auto r = score_labels({1, 0}, {1, 0, 0.99f, 0.141f}, 2, 100.0f);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(std::isfinite((*r)[0].prob));
  EXPECT_GT((*r)[0].prob, (*r)[1].prob);
}

TEST(ZeroShotLabels, BadInputIsAnError) {
  EXPECT_NE(score_labels({1, 0}, {}, 2, 10).message().find("label values"), std::string::npos);
  EXPECT_NE(score_labels({1, 0, 0}, {1, 0}, 2, 10).message().find("image embedding has 3 values"), std::string::npos);
  EXPECT_NE(score_labels({0, 0}, {1, 0}, 2, 10).message().find("all zeros"), std::string::npos);
  EXPECT_NE(score_labels({1, 0}, {1, 0, 0, 0}, 2, 10).message().find("label 2 is all zeros"), std::string::npos);
  EXPECT_NE(score_labels({1, 0}, {1, 0}, 2, 0).message().find("logit scale"), std::string::npos);
  EXPECT_NE(score_labels({1, 0}, {NAN, 0}, 2, 1).message().find("not finite"), std::string::npos);
}

TEST(ZeroShotLabels, TemplatesPutTheLabelInPlaceOfBraces) {
  EXPECT_EQ(*apply_label_template("a photo of {}", "a cat"), "a photo of a cat");
  EXPECT_EQ(*apply_label_template("{}", "red star"), "red star");
  EXPECT_EQ(*apply_label_template("{}, a drawing", "x"), "x, a drawing");
  EXPECT_NE(apply_label_template("a photo", "cat").message().find("no {}"), std::string::npos);
  EXPECT_NE(apply_label_template("{} or {}", "cat").message().find("more than one"), std::string::npos);
  EXPECT_NE(apply_label_template("{}", "  ").message().find("empty"), std::string::npos);
}

TEST(ZeroShotLabels, LabelFilesSkipBlanksCommentsAndRepeats) {
  auto r = parse_label_list("# colours\nred circle\r\n\n  blue star  \nred circle\n#x\ngreen");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (std::vector<std::string>{"red circle", "blue star", "green"}));
  EXPECT_TRUE(parse_label_list("").ok());
  std::string many;
  for (size_t i = 0; i <= kMaxLabels; ++i) many += "l" + std::to_string(i) + "\n";
  EXPECT_NE(parse_label_list(many).message().find("line 4097"), std::string::npos);
}

}  // namespace
}  // namespace clip
