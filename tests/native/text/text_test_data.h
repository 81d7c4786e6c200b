// Reading the text tests' data: files under tests/data/text and the bundled
// merges file, and the golden cases.
#pragma once
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace clip::test {

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::string text_data(const std::string& name) {
  return read_file(std::string(CLIPSEARCH_TEST_DATA) + "/text/" + name);
}

// The merges file every model here references.
inline std::string bundled_merges() {
  return read_file(std::string(CLIPSEARCH_SOURCE_DIR) + "/models/clip-bpe/bpe_simple_vocab_16e6.txt");
}

struct TokenizerCase {
  std::string text;
  std::vector<int32_t> ids;
  std::string skip;  // crosscheck files: why another tokenizer may differ
};

// One JSON object per line with "text", "input_ids" and optionally "skip".
inline std::vector<TokenizerCase> read_cases_file(const std::string& path) {
  std::vector<TokenizerCase> cases;
  std::istringstream lines(read_file(path));
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    nlohmann::json j = nlohmann::json::parse(line);
    cases.push_back({j.at("text").get<std::string>(), j.at("input_ids").get<std::vector<int32_t>>(),
                     j.value("skip", "")});
  }
  return cases;
}

inline std::vector<TokenizerCase> read_cases(const std::string& name) {
  return read_cases_file(std::string(CLIPSEARCH_TEST_DATA) + "/text/" + name);
}

// Encodes every case with `tok`, failing each that differs from its ids;
// returns how many matched.
template <class Tokenizer>
size_t expect_golden_ids(const Tokenizer& tok, const std::vector<TokenizerCase>& cases) {
  size_t matched = 0;
  for (const TokenizerCase& c : cases) {
    std::vector<int32_t> ids = tok.encode(c.text);
    EXPECT_EQ(ids, c.ids) << "text: " << nlohmann::json(c.text).dump();
    matched += ids == c.ids;
  }
  return matched;
}

}  // namespace clip::test
