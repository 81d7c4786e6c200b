// Chinese-CLIP's vocabulary against ids from its own reference tokenizer
// (tests/data/text/README.md).
#include <gtest/gtest.h>

#include "core/text/wordpiece_tokenizer.h"
#include "text_test_data.h"

namespace clip {
namespace {

TEST(WordPieceTokenizerGolden, ChineseClipVocabMatchesEveryCase) {
  Result<WordPieceTokenizer> tok = WordPieceTokenizer::from_vocab_txt(test::text_data("wordpiece_vocab.txt"));
  ASSERT_TRUE(tok.ok()) << tok.message();
  EXPECT_EQ(tok->vocab_size(), 21128u);
  EXPECT_EQ(tok->start_id(), 101);
  EXPECT_EQ(tok->end_id(), 102);
  EXPECT_EQ(tok->unknown_id(), 100);
  EXPECT_EQ(tok->pad_id(), 0);

  const std::vector<test::TokenizerCase> cases = test::read_cases("wordpiece_cases.jsonl");
  ASSERT_EQ(cases.size(), 400u);
  EXPECT_EQ(test::expect_golden_ids(*tok, cases), cases.size());
}

}  // namespace
}  // namespace clip
