// The three file formats, made from the same merges by
// tests/tools/make_tokenizer_fixtures.mjs, must give the same tokenizer; and
// every malformed file must give an error that says where, never a crash.
#include <random>

#include <gtest/gtest.h>

#include "core/text/clip_tokenizer.h"
#include "text_test_data.h"

namespace clip {
namespace {

std::vector<Result<ClipTokenizer>> load_small_fixtures() {
  const std::string merges = test::text_data("small_merges.txt");
  std::vector<Result<ClipTokenizer>> loaded;
  loaded.push_back(ClipTokenizer::from_bpe_merges(merges));
  loaded.push_back(ClipTokenizer::from_vocab_and_merges(test::text_data("small_vocab.json"), merges));
  loaded.push_back(ClipTokenizer::from_tokenizer_json(test::text_data("small_tokenizer.json")));
  loaded.push_back(ClipTokenizer::from_tokenizer_json(test::text_data("small_tokenizer_pairs.json")));
  return loaded;
}

TEST(ClipTokenizerLoaders, AllFormatsGiveTheSameIds) {
  std::vector<Result<ClipTokenizer>> loaded = load_small_fixtures();
  for (const Result<ClipTokenizer>& tok : loaded) ASSERT_TRUE(tok.ok()) << tok.message();
  const ClipTokenizer& reference = *loaded[0];
  // 2000 merges: 512 byte symbols, the merges, then the two special tokens.
  EXPECT_EQ(reference.vocab_size(), 512u + 2000u + 2u);
  EXPECT_EQ(reference.start_id(), 2512);
  EXPECT_EQ(reference.end_id(), 2513);

  for (const test::TokenizerCase& c : test::read_cases("tokenizer_cases.jsonl")) {
    const std::vector<int32_t> expected = reference.encode(c.text);
    for (size_t i = 1; i < loaded.size(); ++i)
      EXPECT_EQ(loaded[i]->encode(c.text), expected) << "loader " << i << ", text " << nlohmann::json(c.text).dump();
  }
}

TEST(ClipTokenizerLoaders, OnlyTheMergesClipUsesAreRead) {
  // OpenAI's file has 262,144 merges; the encoder reads the first 48,894, so
  // anything after them (even junk) changes nothing.
  const std::string merges = test::bundled_merges();
  Result<ClipTokenizer> longer = ClipTokenizer::from_bpe_merges(merges + "not a merge line at all\n");
  ASSERT_TRUE(longer.ok()) << longer.message();
  EXPECT_EQ(longer->vocab_size(), 49408u);
}

struct Malformed {
  const char* what;
  std::string vocab_json;  // for from_vocab_and_merges
  std::string text;        // bpe_simple_vocab / merges.txt / tokenizer.json
  const char* expected;    // part of the error message
};

void expect_error(const Result<ClipTokenizer>& r, const Malformed& m) {
  ASSERT_FALSE(r.ok()) << m.what;
  EXPECT_NE(r.message().find(m.expected), std::string::npos) << m.what << ": " << r.message();
}

TEST(ClipTokenizerLoaders, MalformedBpeSimpleVocab) {
  const Malformed cases[] = {
      {"empty file", "", "", "line 1: expected a \"#version"},
      {"no version line", "", "i n\nt h\n", "line 1: expected a \"#version"},
      {"one symbol", "", "#version: 0.2\ni n\nabc\n", "line 3: expected a merge"},
      {"three symbols", "", "#version: 0.2\na b c\n", "line 2: expected a merge"},
      {"two spaces", "", "#version: 0.2\na  b\n", "line 2: expected a merge"},
      {"blank line", "", "#version: 0.2\ni n\n\nt h\n", "line 3: expected a merge"},
      {"unknown symbol", "", "#version: 0.2\ni n\nin zz\n", "merge 2 ('in' 'zz')"},
  };
  for (const Malformed& m : cases) expect_error(ClipTokenizer::from_bpe_merges(m.text), m);
}

TEST(ClipTokenizerLoaders, MalformedVocabJsonAndMerges) {
  const std::string merges = test::text_data("small_merges.txt");
  const std::string vocab = test::text_data("small_vocab.json");
  const Malformed cases[] = {
      {"truncated json", vocab.substr(0, vocab.size() / 2), merges, "vocab.json: not valid JSON"},
      {"not an object", "[1, 2]", merges, "expected an object of token -> id"},
      {"string id", R"({"a": "1"})", merges, "vocab.json[\"a\"]: expected a token id"},
      {"negative id", R"({"a": -1})", merges, "expected a token id"},
      {"huge id", R"({"a": 4294967296})", merges, "expected a token id"},
      {"no byte symbols", R"({"a": 0})", "#version: 0.2\n", "byte 0: token"},
      {"bad merge line", vocab, "#version: 0.2\ni n\ni-n\n", "merges.txt line 3"},
      {"merge of unknown tokens", vocab, "#version: 0.2\nqq zz\n", "merge 1 ('qq' 'zz')"},
  };
  for (const Malformed& m : cases) expect_error(ClipTokenizer::from_vocab_and_merges(m.vocab_json, m.text), m);

  // A vocabulary without the special tokens cannot frame a sequence.
  nlohmann::json v = nlohmann::json::parse(vocab);
  v.erase("<|startoftext|>");
  expect_error(ClipTokenizer::from_vocab_and_merges(v.dump(), merges),
               {"no start token", "", "", "start token: token '<|startoftext|>' is not in the vocabulary"});
}

TEST(ClipTokenizerLoaders, MalformedTokenizerJson) {
  const nlohmann::json good = nlohmann::json::parse(test::text_data("small_tokenizer.json"));
  auto edited = [&](auto edit) {
    nlohmann::json j = good;
    edit(j);
    return j.dump();
  };
  const Malformed cases[] = {
      {"not json", "", "{\"model\": ", "tokenizer.json: not valid JSON"},
      {"no model", "", "{}", "no \"model\" object"},
      {"wordpiece", "", edited([](auto& j) { j["model"]["type"] = "WordPiece"; }), "expected \"BPE\""},
      {"gpt-2 style, no </w>", "", edited([](auto& j) { j["model"]["end_of_word_suffix"] = nullptr; }),
       "not a CLIP tokenizer"},
      {"no vocab", "", edited([](auto& j) { j["model"].erase("vocab"); }), "no model.vocab"},
      {"merges not an array", "", edited([](auto& j) { j["model"]["merges"] = "i n"; }), "not an array"},
      {"merge is a number", "", edited([](auto& j) { j["model"]["merges"][5] = 7; }), "model.merges[5]"},
      {"merge pair of three", "", edited([](auto& j) { j["model"]["merges"][3] = {"a", "b", "c"}; }),
       "model.merges[3]"},
      {"added token without id", "", edited([](auto& j) { j["added_tokens"][1].erase("id"); }),
       "added_tokens[1]"},
      {"added token id negative", "", edited([](auto& j) { j["added_tokens"][0]["id"] = -5; }),
       "added_tokens[0].id"},
  };
  for (const Malformed& m : cases) expect_error(ClipTokenizer::from_tokenizer_json(m.text), m);
}

// Hostile bytes: random buffers and randomly damaged fixtures either load or
// fail cleanly; whatever loads must still encode.
TEST(ClipTokenizerLoaders, DamagedFilesNeverCrash) {
  std::mt19937 rng(7);
  const std::string originals[] = {test::text_data("small_merges.txt"), test::text_data("small_vocab.json"),
                                   test::text_data("small_tokenizer.json")};
  for (int round = 0; round < 60; ++round) {
    std::string damaged[3];
    for (int f = 0; f < 3; ++f) {
      damaged[f] = originals[f];
      if (round % 3 == 0) damaged[f].resize(rng() % damaged[f].size());
      for (int k = 0; k < 4; ++k) damaged[f][rng() % damaged[f].size()] = static_cast<char>(rng());
    }
    Result<ClipTokenizer> loaded[] = {
        ClipTokenizer::from_bpe_merges(damaged[0]),
        ClipTokenizer::from_vocab_and_merges(damaged[1], damaged[0]),
        ClipTokenizer::from_tokenizer_json(damaged[2]),
    };
    for (const Result<ClipTokenizer>& r : loaded) {
      if (r.ok()) {
        EXPECT_GE(r->encode("a photo of a dog").size(), 2u);
      } else {
        EXPECT_FALSE(r.message().empty());
      }
    }
  }
}

}  // namespace
}  // namespace clip
