// The Unicode layer against the Unicode Standard's own conformance data and
// the examples the standard gives.
#include <sstream>

#include <gtest/gtest.h>

#include "core/text/unicode.h"
#include "text_test_data.h"

namespace clip::unicode {
namespace {

std::u32string parse_code_points(const std::string& field) {
  std::u32string out;
  std::istringstream in(field);
  for (unsigned cp; in >> std::hex >> cp;) out.push_back(cp);
  return out;
}

// NormalizationTest.txt invariants for NFC on each line c1;c2;c3;c4;c5:
// c2 == NFC(c1) == NFC(c2) == NFC(c3) and c4 == NFC(c4) == NFC(c5).
TEST(Unicode, NfcConformance) {
  std::istringstream lines(test::text_data("normalization_nfc_subset.txt"));
  size_t checked = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#' || line[0] == '@') continue;
    std::u32string c[5];
    std::istringstream fields(line);
    for (std::u32string& col : c) {
      std::string field;
      std::getline(fields, field, ';');
      col = parse_code_points(field);
    }
    EXPECT_EQ(to_nfc(c[0]), c[1]) << line;
    EXPECT_EQ(to_nfc(c[1]), c[1]) << line;
    EXPECT_EQ(to_nfc(c[2]), c[1]) << line;
    EXPECT_EQ(to_nfc(c[3]), c[3]) << line;
    EXPECT_EQ(to_nfc(c[4]), c[3]) << line;
    ++checked;
  }
  EXPECT_GT(checked, 3000u);
}

// The Unicode Standard, ch. 3.9, table 3-8: U+FFFD for each maximal subpart.
TEST(Unicode, IllFormedUtf8BecomesOneReplacementPerMaximalSubpart) {
  std::u32string decoded;
  decode_utf8("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64", decoded);
  EXPECT_EQ(decoded, U"a\uFFFD\uFFFD\uFFFDb\uFFFDc\uFFFD\uFFFDd");
  decoded.clear();
  decode_utf8("\xED\xA0\x80\xC0\xAF\xF4\x90\x80\x80", decoded);  // surrogate, overlong, > U+10FFFF
  EXPECT_EQ(decoded, std::u32string(9, kReplacementChar));
}

TEST(Unicode, Utf8RoundTripsEveryScalarValue) {
  std::u32string all;
  for (char32_t cp = 0; cp <= 0x10FFFF; ++cp)
    if (cp < 0xD800 || cp > 0xDFFF) all.push_back(cp);
  std::u32string decoded;
  decode_utf8(encode_utf8(all), decoded);
  EXPECT_EQ(decoded, all);
}

TEST(Unicode, LowercaseIsFullButContextFree) {
  auto lower = [](std::u32string_view s) {
    std::u32string out;
    for (char32_t c : s) append_lowercase(c, out);
    return out;
  };
  EXPECT_EQ(lower(U"\u0130stanbul"), U"i\u0307stanbul");  // SpecialCasing: İ -> i + combining dot
  EXPECT_EQ(lower(U"\u039f\u0394\u039f\u03a3"), U"\u03bf\u03b4\u03bf\u03c3");  // no final sigma
  EXPECT_EQ(lower(U"\u0100\u0101\u0102"), U"\u0101\u0101\u0103");  // alternating Latin Extended-A pairs
  EXPECT_EQ(lower(U"\u00df\u1e9e\u2160\u24b6\U00010400"), U"\u00df\u00df\u2170\u24d0\U00010428");
}

TEST(Unicode, ClassesOfTheClipRegex) {
  EXPECT_EQ(char_class(U'\u00aa'), CharClass::kLetter);      // Lo, feminine ordinal
  EXPECT_EQ(char_class(U'\u4e2d'), CharClass::kLetter);      // CJK, in a First/Last range
  EXPECT_EQ(char_class(U'\u0663'), CharClass::kNumber);      // Arabic-Indic three
  EXPECT_EQ(char_class(U'\u216b'), CharClass::kNumber);      // Nl, Roman numeral twelve
  EXPECT_EQ(char_class(U'\u00b2'), CharClass::kNumber);      // No, superscript two
  EXPECT_EQ(char_class(U'\u0085'), CharClass::kSpace);       // NEL is White_Space
  EXPECT_EQ(char_class(U'\u3000'), CharClass::kSpace);
  EXPECT_EQ(char_class(U'\u200b'), CharClass::kOther);       // zero width space is not
  EXPECT_EQ(char_class(U'\u0301'), CharClass::kOther);       // combining marks are not letters
  EXPECT_EQ(char_class(U'\U0001f436'), CharClass::kOther);   // emoji
  EXPECT_EQ(char_class(0x10FFFF), CharClass::kOther);
}

TEST(Unicode, GeneralCategoriesOfBertsBasicTokenizer) {
  EXPECT_EQ(general_category(U'a'), GeneralCategory::kLl);
  EXPECT_EQ(general_category(U'\u4e2d'), GeneralCategory::kLo);   // in a First/Last range
  EXPECT_EQ(general_category(U'\u0301'), GeneralCategory::kMn);
  EXPECT_EQ(general_category(U'\u0007'), GeneralCategory::kCc);
  EXPECT_EQ(general_category(U'\u200b'), GeneralCategory::kCf);
  EXPECT_EQ(general_category(U'\u3000'), GeneralCategory::kZs);
  EXPECT_EQ(general_category(U'\u2028'), GeneralCategory::kZl);
  EXPECT_EQ(general_category(U'\uff0c'), GeneralCategory::kPo);   // full-width comma
  EXPECT_EQ(general_category(U'\u201c'), GeneralCategory::kPi);
  EXPECT_EQ(general_category(U'$'), GeneralCategory::kSc);
  EXPECT_EQ(general_category(U'\U000e0001'), GeneralCategory::kCf);  // language tag
  EXPECT_EQ(general_category(U'\U000f0000'), GeneralCategory::kCo);
  EXPECT_EQ(general_category(0x0378), GeneralCategory::kCn);        // unassigned
  EXPECT_EQ(general_category(0x10FFFF), GeneralCategory::kCn);
  EXPECT_EQ(general_category(0x110000), GeneralCategory::kCn);
  EXPECT_TRUE(is_punctuation_category(general_category(U'\u3001')));
  EXPECT_FALSE(is_punctuation_category(general_category(U'^')));   // Sk: BERT adds ASCII symbols itself
}

TEST(Unicode, CasingPropertiesAndPythonsWhiteSpace) {
  EXPECT_TRUE(is_cased(U'A'));
  EXPECT_TRUE(is_cased(U'\u03c3'));
  EXPECT_FALSE(is_cased(U'\u4e2d'));
  EXPECT_TRUE(is_case_ignorable(U'\u0301'));
  EXPECT_TRUE(is_case_ignorable(U'\''));
  EXPECT_FALSE(is_case_ignorable(U'a'));
  for (char32_t c : {U'\t', U'\x1c', U'\x85', U'\xa0', U'\u2028', U'\u3000'}) EXPECT_TRUE(is_python_space(c)) << c;
  for (char32_t c : {U'a', U'\u200b', U'\ufeff', U'\x00'}) EXPECT_FALSE(is_python_space(c)) << c;
}

TEST(Unicode, NfdDecomposesFullyAndOrdersMarks) {
  EXPECT_EQ(to_nfd(U"\u00e9"), U"e\u0301");
  EXPECT_EQ(to_nfd(U"\u1e69"), U"s\u0323\u0307");        // two levels deep
  EXPECT_EQ(to_nfd(U"a\u0301\u0316"), U"a\u0316\u0301");  // class 220 sinks before 230
  EXPECT_EQ(to_nfd(U"\ud55c"), U"\u1112\u1161\u11ab");    // Hangul, algorithmically
  EXPECT_EQ(to_nfd(U"\uf900"), U"\u8c48");                 // compatibility ideograph, singleton
  EXPECT_EQ(to_nfc(to_nfd(U"caf\u00e9 \ud55c")), U"caf\u00e9 \ud55c");
}

}  // namespace
}  // namespace clip::unicode
