// ClipTokenizer behaviour: framing and truncation, normalization, special
// tokens, hostile input, and that the per-word cache never changes results.
#include <limits>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "core/text/clip_tokenizer.h"
#include "text_test_data.h"

namespace clip {
namespace {

const ClipTokenizer& tokenizer() {
  static const ClipTokenizer tok = std::move(ClipTokenizer::from_bpe_merges(test::bundled_merges()).value());
  return tok;
}

constexpr size_t kNoLimit = std::numeric_limits<size_t>::max();

// The ids between the start and end tokens.
std::vector<int32_t> content(const std::vector<int32_t>& ids) {
  EXPECT_GE(ids.size(), 2u);
  return std::vector<int32_t>(ids.begin() + 1, ids.end() - 1);
}

TEST(ClipTokenizer, FramesWithStartAndEndWithoutPadding) {
  const std::vector<int32_t> ids = tokenizer().encode("a photo of a dog");
  EXPECT_EQ(ids.front(), ClipTokenizer::kStartOfText);
  EXPECT_EQ(ids.back(), ClipTokenizer::kEndOfText);
  EXPECT_LT(ids.size(), 77u);
  EXPECT_EQ(tokenizer().encode(""), (std::vector<int32_t>{ClipTokenizer::kStartOfText, ClipTokenizer::kEndOfText}));
}

TEST(ClipTokenizer, TruncationKeepsTheEndToken) {
  std::string text;
  for (int i = 0; i < 60; ++i) text += "a photograph of extraordinary things " + std::to_string(i) + " ";
  const std::vector<int32_t> full = tokenizer().encode(text, kNoLimit);
  ASSERT_GT(full.size(), 200u);
  for (size_t context : {2u, 3u, 10u, 77u, 200u}) {
    const std::vector<int32_t> ids = tokenizer().encode(text, context);
    ASSERT_EQ(ids.size(), context);
    EXPECT_EQ(ids.back(), ClipTokenizer::kEndOfText);
    EXPECT_TRUE(std::equal(ids.begin(), ids.end() - 1, full.begin())) << "context " << context;
  }
  // Below the two framing tokens there is nothing to cut.
  EXPECT_EQ(tokenizer().encode(text, 0), tokenizer().encode(text, 2));
  // Exactly full: nothing dropped.
  EXPECT_EQ(tokenizer().encode(text, full.size()), full);
}

TEST(ClipTokenizer, WhiteSpaceAndCaseDoNotMatter) {
  EXPECT_EQ(tokenizer().encode("  A   PHOTO\tof\r\na\u00a0Dog \u3000"), tokenizer().encode("a photo of a dog"));
}

TEST(ClipTokenizer, CanonicallyEquivalentTextsAgree) {
  // NFC first: a decomposed accent, a singleton (Angstrom sign) and Hangul jamo.
  EXPECT_EQ(tokenizer().encode("cafe\u0301"), tokenizer().encode("caf\u00e9"));
  EXPECT_EQ(tokenizer().encode("\u212b"), tokenizer().encode("\u00e5"));
  EXPECT_EQ(tokenizer().encode("\u1112\u1161\u11ab"), tokenizer().encode("\ud55c"));
}

TEST(ClipTokenizer, SpecialTokenStringsInAnyCaseBecomeTheirIds) {
  const std::vector<int32_t> a = content(tokenizer().encode("a"));
  const std::vector<int32_t> b = content(tokenizer().encode("b!"));
  std::vector<int32_t> expected{ClipTokenizer::kStartOfText};
  expected.insert(expected.end(), a.begin(), a.end());
  expected.push_back(ClipTokenizer::kEndOfText);
  expected.push_back(ClipTokenizer::kStartOfText);
  expected.insert(expected.end(), b.begin(), b.end());
  expected.push_back(ClipTokenizer::kEndOfText);
  // Split off before the regex runs, so the "!" before one does not swallow its "<|".
  EXPECT_EQ(tokenizer().encode("a<|EndOfText|><|startoftext|>b!"), expected);
  EXPECT_NE(tokenizer().encode("<|endoftext"), tokenizer().encode("<|endoftext|>"));
}

TEST(ClipTokenizer, IllFormedUtf8ReadsAsReplacementCharacters) {
  EXPECT_EQ(tokenizer().encode("a\xff" "b"), tokenizer().encode("a\ufffd" "b"));
  EXPECT_EQ(tokenizer().encode("\xe2\x82"), tokenizer().encode("\ufffd"));  // truncated sequence: one U+FFFD
  EXPECT_EQ(tokenizer().encode(std::string("x\0y", 3)).size(), 5u);      // NUL is punctuation, not the end
}

TEST(ClipTokenizer, HostileInputStaysBounded) {
  // One 256 KB word (BPE is O(n log n)) and 256 KB of random bytes.
  EXPECT_EQ(tokenizer().encode(std::string(1 << 18, 'a')).size(), 77u);
  std::mt19937 rng(3);
  std::string noise(1 << 18, '\0');
  for (char& c : noise) c = static_cast<char>(rng());
  const std::vector<int32_t> ids = tokenizer().encode(noise);
  EXPECT_EQ(ids.size(), 77u);
  EXPECT_EQ(ids.back(), ClipTokenizer::kEndOfText);
  for (int32_t id : ids) EXPECT_LT(static_cast<size_t>(id), tokenizer().vocab_size());
}

// Ids never depend on what the cache holds: a fresh tokenizer, one warmed by
// other texts, one encoding from several threads at once and one whose cache
// overflowed (and was emptied) all agree.
TEST(ClipTokenizer, CacheNeverChangesResults) {
  const std::vector<test::TokenizerCase> cases = test::read_cases("tokenizer_cases.jsonl");
  Result<ClipTokenizer> fresh = ClipTokenizer::from_bpe_merges(test::bundled_merges());
  ASSERT_TRUE(fresh.ok());
  std::vector<std::vector<int32_t>> first;
  for (const test::TokenizerCase& c : cases) first.push_back(fresh->encode(c.text));
  for (size_t i = 0; i < cases.size(); ++i) EXPECT_EQ(fresh->encode(cases[i].text), first[i]);

  std::vector<std::thread> threads;
  std::vector<size_t> mismatches(4, 0);
  for (size_t t = 0; t < mismatches.size(); ++t) {
    threads.emplace_back([&, t] {
      for (size_t i = t; i < cases.size() + t; ++i) {
        const size_t k = i % cases.size();
        mismatches[t] += tokenizer().encode(cases[k].text) != first[k];
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (size_t m : mismatches) EXPECT_EQ(m, 0u);

  // More distinct words than the cache keeps (65,536): it empties and refills.
  std::string many;
  for (int i = 0; i < 70000; ++i) many += "w" + std::to_string(i * 7919) + "x ";
  (void)fresh->encode(many, kNoLimit);
  for (size_t i = 0; i < cases.size(); ++i) EXPECT_EQ(fresh->encode(cases[i].text), first[i]);
}

TEST(ClipTokenizer, MovedTokenizerKeepsWorking) {
  Result<ClipTokenizer> loaded = ClipTokenizer::from_bpe_merges(test::bundled_merges());
  ASSERT_TRUE(loaded.ok());
  const std::vector<int32_t> before = loaded->encode("a dog on the beach");
  ClipTokenizer moved = std::move(*loaded);
  EXPECT_EQ(moved.encode("a dog on the beach"), before);
}

}  // namespace
}  // namespace clip
