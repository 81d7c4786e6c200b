// Picking the text tower for a query: auto by script, explicit by tag.
#include "core/text/query_language.h"

#include <gtest/gtest.h>

namespace clip {
namespace {

const std::vector<std::string> kBilingual = {"en", "zh"};
const std::vector<std::string> kEnglishOnly = {"en"};

std::string pick(std::string_view text, std::string_view requested, const std::vector<std::string>& langs) {
  Result<std::string> r = pick_query_language(text, requested, langs);
  EXPECT_TRUE(r.ok()) << r.message();
  return r.ok() ? *r : "";
}

TEST(QueryLanguage, AutoSendsChineseToTheChineseTower) {
  EXPECT_EQ(pick("红色的圆形", "auto", kBilingual), "zh");
  EXPECT_EQ(pick("a red 圆", "auto", kBilingual), "zh");  // one ideograph is enough
  EXPECT_EQ(pick("a red circle", "auto", kBilingual), "en");
  EXPECT_EQ(pick("café, ｆｕｌｌ ｗｉｄｔｈ", "", kBilingual), "en");  // full-width Latin is not CJK
  EXPECT_EQ(pick("ひらがな", "auto", kBilingual), "en");          // kana alone: no ideograph
  EXPECT_EQ(pick("红色的圆形", "auto", kEnglishOnly), "en");       // no zh tower: the primary one
}

TEST(QueryLanguage, ExplicitChoiceWinsAndIsChecked) {
  EXPECT_EQ(pick("红色的圆形", "en", kBilingual), "en");
  EXPECT_EQ(pick("a red circle", "zh", kBilingual), "zh");
  Result<std::string> missing = pick_query_language("红色", "zh", kEnglishOnly);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.message(), "language 'zh': this model's text towers read en (or use auto)");
  EXPECT_FALSE(pick_query_language("x", "auto", {}).ok());
}

TEST(QueryLanguage, DetectsIdeographsOnly) {
  EXPECT_TRUE(has_cjk_ideograph("\xF0\xA0\x80\x80"));  // U+20000, extension B
  EXPECT_TRUE(has_cjk_ideograph("\xEF\xA4\x80"));      // U+F900, compatibility ideograph
  EXPECT_FALSE(has_cjk_ideograph("\xE3\x80\x82"));     // U+3002 ideographic full stop
  EXPECT_FALSE(has_cjk_ideograph("\xE7\xBA"));         // a truncated 红
  EXPECT_FALSE(has_cjk_ideograph(""));
}

}  // namespace
}  // namespace clip
