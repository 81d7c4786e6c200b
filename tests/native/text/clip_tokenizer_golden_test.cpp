// The bundled merges file against ids from the Hugging Face fast CLIP
// tokenizer (tests/data/text/README.md).
#include <gtest/gtest.h>

#include "core/text/clip_tokenizer.h"
#include "text_test_data.h"

namespace clip {
namespace {

TEST(ClipTokenizerGolden, BundledMergesMatchEveryCase) {
  Result<ClipTokenizer> tok = ClipTokenizer::from_bpe_merges(test::bundled_merges());
  ASSERT_TRUE(tok.ok()) << tok.message();
  EXPECT_EQ(tok->vocab_size(), 49408u);
  EXPECT_EQ(tok->start_id(), ClipTokenizer::kStartOfText);
  EXPECT_EQ(tok->end_id(), ClipTokenizer::kEndOfText);

  const std::vector<test::TokenizerCase> cases = test::read_cases("tokenizer_cases.jsonl");
  ASSERT_EQ(cases.size(), 658u);
  EXPECT_EQ(test::expect_golden_ids(*tok, cases), cases.size());
}

}  // namespace
}  // namespace clip
