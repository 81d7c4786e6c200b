// Words a text tower never saw: the real CLIP tokenizer over a known-id list.
#include "core/query/unknown_words.h"

#include "core/text/wordpiece_tokenizer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace clip {
namespace {

const ClipTokenizer& tokenizer() {
  static const ClipTokenizer tok = [] {
    std::ifstream in(std::string(CLIPSEARCH_SOURCE_DIR) + "/models/clip-bpe/bpe_simple_vocab_16e6.txt",
                     std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    auto t = ClipTokenizer::from_bpe_merges(s.str());
    EXPECT_TRUE(t.ok());
    return std::move(*t);
  }();
  return tok;
}

// The ids of some training texts, as a trainer would collect them.
std::vector<int32_t> known_from(const std::vector<std::string>& texts) {
  std::vector<int32_t> ids;
  for (const auto& t : texts) {
    auto row = tokenizer().encode(t);
    ids.insert(ids.end(), row.begin(), row.end());
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

TEST(UnknownWords, NamesEachWordWithATokenNeverSeen) {
  const auto known = known_from({"a red circle on the left", "two shapes: a blue star and a green heart"});
  EXPECT_EQ(unknown_words(tokenizer(), "a dog on the beach", known), (std::vector<std::string>{"dog", "beach"}));
  EXPECT_TRUE(unknown_words(tokenizer(), "A Blue  Circle on the LEFT", known).empty());
  // Each word once; punctuation is not reported.
  EXPECT_EQ(unknown_words(tokenizer(), "a red dog, a red dog!", known), (std::vector<std::string>{"dog"}));
  EXPECT_EQ(unknown_words(tokenizer(), "a 7 on the left", known), (std::vector<std::string>{"7"}));
}

TEST(UnknownWords, OverSeveralTextsEachWordOnceAndNothingWithoutAList) {
  const auto known = known_from({"a red circle"});
  EXPECT_EQ(unknown_words(tokenizer(), std::vector<std::string>{"a dog", "red dog", "a cat"}, known),
            (std::vector<std::string>{"dog", "cat"}));
  EXPECT_TRUE(unknown_words(tokenizer(), std::vector<std::string>{"a dog"}, {}).empty());
}

TEST(UnknownWords, SpecialTokensAndEmptyTextAreNeverUnknown) {
  const auto known = known_from({"red"});
  EXPECT_TRUE(unknown_words(tokenizer(), "<|startoftext|>red<|endoftext|>", known).empty());
  EXPECT_TRUE(unknown_words(tokenizer(), "   ", known).empty());
}

TEST(UnknownWords, AWordSplitIntoSeveralTokensNeedsThemAll) {
  // "circles" and "circle" share no token; a known "circle" does not make "circles" known.
  const auto known = known_from({"circle"});
  EXPECT_EQ(unknown_words(tokenizer(), "circles", known), (std::vector<std::string>{"circles"}));
  EXPECT_EQ(unknown_words(tokenizer(), "circle", {}), (std::vector<std::string>{"circle"}));
}

TEST(UnknownWords, AnotherKindOfTokenizerIsNotJudged) {
  // CLIP's pre-tokenizer pieces mean nothing to a WordPiece vocabulary (the
  // demo model's Chinese tower): no word is called unknown.
  auto wordpiece = WordPieceTokenizer::from_vocab_txt("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nred\n");
  ASSERT_TRUE(wordpiece.ok()) << wordpiece.message();
  const TextTokenizer& any = *wordpiece;
  EXPECT_TRUE(unknown_words(any, std::vector<std::string>{"a dog"}, {5}).empty());
  const TextTokenizer& bpe = tokenizer();
  EXPECT_EQ(unknown_words(bpe, std::vector<std::string>{"a dog"}, known_from({"a red circle"})),
            (std::vector<std::string>{"dog"}));
}

}  // namespace
}  // namespace clip
