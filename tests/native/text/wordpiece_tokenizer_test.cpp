// WordPieceTokenizer: the vocab.txt loader, the BERT basic tokenizer's steps
// one by one, WordPiece matching, framing and truncation, hostile input.
#include "core/text/wordpiece_tokenizer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "text_test_data.h"

namespace clip {
namespace {

// A tiny vocabulary: ids are line numbers.
constexpr const char* kVocab =
    "[PAD]\n[UNK]\n[CLS]\n[SEP]\n"  // 0-3
    "red\nun\n##aff\n##able\n"      // 4-7
    "红\n色\n!\n,\n"                 // 8-11
    "cafe\nσ\nς\nοδος\n"             // 12-15
    "##ος\nοδ\ni\na\n"               // 16-19
    "##a\n`\n";                      // 20-21

WordPieceTokenizer small() {
  Result<WordPieceTokenizer> tok = WordPieceTokenizer::from_vocab_txt(kVocab);
  EXPECT_TRUE(tok.ok()) << tok.message();
  return std::move(*tok);
}

using Ids = std::vector<int32_t>;

TEST(WordPieceTokenizer, FramesWithClsAndSep) {
  WordPieceTokenizer tok = small();
  EXPECT_EQ(tok.start_id(), 2);
  EXPECT_EQ(tok.end_id(), 3);
  EXPECT_EQ(tok.unknown_id(), 1);
  EXPECT_EQ(tok.pad_id(), 0);
  EXPECT_EQ(tok.vocab_size(), 22u);
  EXPECT_EQ(tok.encode(""), (Ids{2, 3}));
  EXPECT_EQ(tok.encode("red"), (Ids{2, 4, 3}));
}

TEST(WordPieceTokenizer, GreedyLongestMatchWithContinuations) {
  WordPieceTokenizer tok = small();
  EXPECT_EQ(tok.encode("unaffable"), (Ids{2, 5, 6, 7, 3}));
  EXPECT_EQ(tok.encode("aaa"), (Ids{2, 19, 20, 20, 3}));
  // No match at some position: the whole word is [UNK], not a partial match.
  EXPECT_EQ(tok.encode("unaffablex red"), (Ids{2, 1, 4, 3}));
}

TEST(WordPieceTokenizer, CjkIdeographsAreWordsOfTheirOwn) {
  WordPieceTokenizer tok = small();
  EXPECT_EQ(tok.encode("红色"), (Ids{2, 8, 9, 3}));
  EXPECT_EQ(tok.encode("red红red"), (Ids{2, 4, 8, 4, 3}));
}

TEST(WordPieceTokenizer, LowerCasesStripsAccentsSplitsPunctuation) {
  WordPieceTokenizer tok = small();
  EXPECT_EQ(tok.encode("RED"), (Ids{2, 4, 3}));
  EXPECT_EQ(tok.encode("Café"), (Ids{2, 12, 3}));
  EXPECT_EQ(tok.encode("Cafe\xCC\x81"), (Ids{2, 12, 3}));  // decomposed accent
  EXPECT_EQ(tok.encode("red,red!"), (Ids{2, 4, 11, 4, 10, 3}));
  // U+1FEF (a symbol, Sk) decomposes to '`', which is ASCII punctuation:
  // the split runs after NFD, as the reference's does.
  EXPECT_EQ(tok.encode("red\xE1\xBF\xAFred"), (Ids{2, 4, 21, 4, 3}));
  // U+0130 lower-cases to i + U+0307 (a mark, stripped).
  EXPECT_EQ(tok.encode("\xC4\xB0"), (Ids{2, 18, 3}));
}

TEST(WordPieceTokenizer, FinalSigmaAsPythonLowerHasIt) {
  WordPieceTokenizer tok = small();
  EXPECT_EQ(tok.encode("ΟΔΟΣ"), (Ids{2, 15, 3}));  // οδος: the final form at a word's end
  EXPECT_EQ(tok.encode("Σ"), (Ids{2, 13, 3}));     // alone: not after a cased letter
  // The accent between Ο and Σ is case-ignorable, so Σ still ends a cased
  // word (and is stripped afterwards): οδος again.
  EXPECT_EQ(tok.encode("ΟΔΟ\xCC\x81Σ"), (Ids{2, 15, 3}));
  // Followed by a cased letter: σ, and "οδοσα" has no pieces here.
  EXPECT_EQ(tok.encode("ΟΔΟΣΑ"), (Ids{2, 1, 3}));
}

TEST(WordPieceTokenizer, DropsControlsAndSplitsOnWhiteSpace) {
  WordPieceTokenizer tok = small();
  // NUL, U+FFFD, a C0 control, ZERO WIDTH SPACE (Cf) vanish without splitting.
  EXPECT_EQ(tok.encode(std::string("r\0e\x01" "d", 5)), (Ids{2, 4, 3}));
  EXPECT_EQ(tok.encode("r\xEF\xBF\xBD" "e\xE2\x80\x8B" "d"), (Ids{2, 4, 3}));
  EXPECT_EQ(tok.encode("r\xFF" "ed"), (Ids{2, 4, 3}));  // ill-formed UTF-8 reads as U+FFFD
  // Tab, no-break space, ideographic space, LINE SEPARATOR split words.
  EXPECT_EQ(tok.encode("red\tred\xC2\xA0red\xE3\x80\x80red\xE2\x80\xA8red"), (Ids{2, 4, 4, 4, 4, 4, 3}));
}

TEST(WordPieceTokenizer, WordsOverTwoHundredCharactersAreUnknown) {
  WordPieceTokenizer tok = small();
  EXPECT_EQ(tok.encode(std::string(200, 'a')).size(), 52u);  // a ##a ##a ...: truncated
  EXPECT_EQ(tok.encode(std::string(201, 'a')), (Ids{2, 1, 3}));
}

TEST(WordPieceTokenizer, TruncatesKeepingSep) {
  WordPieceTokenizer tok = small();
  std::string text;
  for (int i = 0; i < 100; ++i) text += "red ";
  const Ids ids = tok.encode(text);
  ASSERT_EQ(ids.size(), WordPieceTokenizer::kDefaultContextLength);
  EXPECT_EQ(ids.front(), 2);
  EXPECT_EQ(ids.back(), 3);
  EXPECT_EQ(tok.encode(text, 5), (Ids{2, 4, 4, 4, 3}));
  EXPECT_EQ(tok.encode(text, 0), (Ids{2, 3}));
  // A word of several pieces is cut between its pieces, as the reference cuts.
  EXPECT_EQ(tok.encode("unaffable", 4), (Ids{2, 5, 6, 3}));
}

TEST(WordPieceTokenizerLoader, ReadsLinesAsPythonReadlineDoes) {
  // CR LF and lone CR end lines; spaces around a token are stripped; a
  // repeated token keeps its last id.
  Result<WordPieceTokenizer> tok =
      WordPieceTokenizer::from_vocab_txt("[CLS]\r\n[SEP]\r[UNK]\n  red \nred\nblue");
  ASSERT_TRUE(tok.ok()) << tok.message();
  EXPECT_EQ(tok->vocab_size(), 6u);
  EXPECT_EQ(tok->pad_id(), -1);
  EXPECT_EQ(tok->encode("red blue"), (Ids{0, 4, 5, 1}));
}

TEST(WordPieceTokenizerLoader, RefusesWhatIsNotABertVocabulary) {
  Result<WordPieceTokenizer> empty = WordPieceTokenizer::from_vocab_txt("");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.message().find("empty"), std::string::npos) << empty.message();

  Result<WordPieceTokenizer> no_cls = WordPieceTokenizer::from_vocab_txt("[SEP]\n[UNK]\nred\n");
  ASSERT_FALSE(no_cls.ok());
  EXPECT_NE(no_cls.message().find("no [CLS]"), std::string::npos) << no_cls.message();

  Result<WordPieceTokenizer> bad_utf8 = WordPieceTokenizer::from_vocab_txt("[CLS]\n[SEP]\n[UNK]\nr\xC3(d\n");
  ASSERT_FALSE(bad_utf8.ok());
  EXPECT_NE(bad_utf8.message().find("line 4 is not valid UTF-8"), std::string::npos) << bad_utf8.message();

  // A CLIP merges file is not a vocab.txt.
  Result<WordPieceTokenizer> merges = WordPieceTokenizer::from_vocab_txt(test::bundled_merges());
  ASSERT_FALSE(merges.ok());
  EXPECT_NE(merges.message().find("no [CLS]"), std::string::npos) << merges.message();
}

TEST(WordPieceTokenizer, HostileSizesStayFast) {
  Result<WordPieceTokenizer> tok = WordPieceTokenizer::from_vocab_txt(test::text_data("wordpiece_vocab.txt"));
  ASSERT_TRUE(tok.ok()) << tok.message();
  // A megabyte of combining marks on one letter, of 200-letter words, of
  // ideographs: each gives a well-formed result (the first stops after 50 ids).
  std::string marks = "a";
  for (int i = 0; i < 300000; ++i) marks += i % 2 ? "\xCC\x81" : "\xD6\x91";  // classes 230 and 220
  EXPECT_EQ(tok->encode(marks).size(), 3u);
  std::string words;
  while (words.size() < (1 << 20)) words += std::string(199, 'q') + "x ";
  EXPECT_EQ(tok->encode(words).size(), 52u);
  std::string hanzi;
  while (hanzi.size() < (1 << 20)) hanzi += "红";
  EXPECT_EQ(tok->encode(hanzi).size(), 52u);
}

}  // namespace
}  // namespace clip
