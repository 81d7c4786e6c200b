// Parsing and writing query expressions: the syntax the CLI's --query and
// the page's search box share.
#include "core/query/query_expression.h"

#include <gtest/gtest.h>

namespace clip {
namespace {

std::vector<QueryTerm> parse_ok(const std::string& expr) {
  auto r = parse_query_expression(expr);
  EXPECT_TRUE(r.ok()) << expr << ": " << (r.ok() ? "" : r.message());
  return r.ok() ? *r : std::vector<QueryTerm>{};
}

std::string parse_error(const std::string& expr) {
  auto r = parse_query_expression(expr);
  EXPECT_FALSE(r.ok()) << expr << " parsed";
  return r.ok() ? "" : r.message();
}

TEST(QueryExpression, OneTextTermIsTheWholeTrimmedText) {
  auto t = parse_ok("  a red circle on the left ");
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].text, "a red circle on the left");
  EXPECT_EQ(t[0].weight, 1.0f);
  EXPECT_EQ(t[0].kind, TermKind::kText);
  EXPECT_EQ(t[0].column, 3u);
}

TEST(QueryExpression, PlusAndMinusJoinTerms) {
  auto t = parse_ok("a red circle - red + blue");
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].text, "a red circle");
  EXPECT_EQ(t[1].text, "red");
  EXPECT_EQ(t[1].weight, -1.0f);
  EXPECT_EQ(t[2].text, "blue");
  EXPECT_EQ(t[2].weight, 1.0f);
  EXPECT_EQ(t[1].column, 16u);
  EXPECT_EQ(t[2].column, 22u);
}

TEST(QueryExpression, AnOperatorFollowsSpaceAndInsideAWordIsText) {
  auto t = parse_ok("cat +night -dog");
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].text, "cat");
  EXPECT_EQ(t[1].text, "night");
  EXPECT_EQ(t[2].text, "dog");
  EXPECT_EQ(t[2].weight, -1.0f);
  // Hyphenated words and file names are one term each.
  auto w = parse_ok("a black-and-white t-shirt - holiday-2023.jpg");
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].text, "a black-and-white t-shirt");
  EXPECT_EQ(w[1].text, "holiday-2023.jpg");
  EXPECT_EQ(w[1].weight, -1.0f);
  EXPECT_EQ(parse_ok("cat+night-dog")[0].text, "cat+night-dog");
}

TEST(QueryExpression, WeightsScaleTermsAndTakeTheOperatorsSign) {
  auto t = parse_ok("2:a beach + 0.5:red - .25:people");
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].text, "a beach");
  EXPECT_FLOAT_EQ(t[0].weight, 2.0f);
  EXPECT_FLOAT_EQ(t[1].weight, 0.5f);
  EXPECT_EQ(t[1].text, "red");
  EXPECT_FLOAT_EQ(t[2].weight, -0.25f);
  EXPECT_EQ(t[2].column, 23u);  // the term starts at its weight
}

TEST(QueryExpression, QuotesKeepOperatorsInsideATerm) {
  auto t = parse_ok("a \"t-shirt\" on a beach - \"red+blue\"");
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].text, "a t-shirt on a beach");
  EXPECT_EQ(t[1].text, "red+blue");
  EXPECT_EQ(t[1].weight, -1.0f);
  // A quoted operator may follow white space.
  EXPECT_EQ(parse_ok("a \" - \" b").size(), 1u);
  // A quoted weight-like prefix is text, and quoted space is kept.
  auto q = parse_ok("\"2:00 pm\" + 3:\" x \"");
  EXPECT_EQ(q[0].text, "2:00 pm");
  EXPECT_EQ(q[0].weight, 1.0f);
  EXPECT_EQ(q[1].text, " x ");
  EXPECT_EQ(q[1].weight, 3.0f);
}

TEST(QueryExpression, ALeadingSignAppliesToTheFirstTerm) {
  auto t = parse_ok("- red + circle");
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].weight, -1.0f);
  EXPECT_EQ(parse_ok("+circle")[0].weight, 1.0f);
}

TEST(QueryExpression, UrlsAndIndexedIdsAreImageTerms) {
  auto t = parse_ok("https://example.org/cat.jpg + similar:trips/beach.jpg - HTTP://x/y.png");
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].kind, TermKind::kImageUrl);
  EXPECT_EQ(t[1].kind, TermKind::kIndexedId);
  EXPECT_EQ(t[1].text, "trips/beach.jpg");
  EXPECT_EQ(t[2].kind, TermKind::kImageUrl);
  // An id with a hyphen inside needs no quotes; quotes still work.
  for (const char* expr : {"similar:img-01.png + at night", "\"similar:img-01.png\" + at night"}) {
    auto q = parse_ok(expr);
    EXPECT_EQ(q[0].kind, TermKind::kIndexedId);
    EXPECT_EQ(q[0].text, "img-01.png");
  }
}

TEST(QueryExpression, ErrorsNameTheCharacter) {
  EXPECT_EQ(parse_error(""), "query: the expression is empty");
  EXPECT_EQ(parse_error("   "), "query: the expression is empty");
  EXPECT_EQ(parse_error("a red circle +"), "query: expected a term at character 15 (after '+'), found the end");
  EXPECT_EQ(parse_error("cat + - dog"), "query: expected a term at character 7 (after '+'), found '-'");
  EXPECT_EQ(parse_error("cat + \"dog"), "query: unterminated quote at character 7");
  EXPECT_EQ(parse_error("cat - 2: "), "query: empty term at character 10 (after '-')");
  EXPECT_EQ(parse_error("cat + \"\""), "query: empty term at character 7 (after '+')");
  EXPECT_EQ(parse_error("0:cat"), "query: the weight at character 1 must be between 0.001 and 1000");
  EXPECT_EQ(parse_error("red + 5000:cat"), "query: the weight at character 7 must be between 0.001 and 1000");
  EXPECT_EQ(parse_error("similar:"), "query: 'similar:' needs an id at character 1");
}

TEST(QueryExpression, CharactersAreCodePointsNotBytes) {
  // "café" is 5 bytes but 4 characters.
  EXPECT_EQ(parse_error("café - "), "query: expected a term at character 8 (after '-'), found the end");
  auto t = parse_ok("日本 + 東京");
  EXPECT_EQ(t[1].column, 6u);
  EXPECT_EQ(t[1].text, "東京");
}

TEST(QueryExpression, LimitsAreErrorsNotCrashes) {
  std::string many = "a";
  for (size_t i = 0; i < kMaxQueryTerms; ++i) many += " + a";
  EXPECT_NE(parse_error(many).find("more than 64 terms"), std::string::npos);
  EXPECT_NE(parse_error(std::string(kMaxQueryExpressionBytes + 1, 'a')).find("bytes"), std::string::npos);
  // Ill-formed UTF-8 is read as U+FFFD, like the tokenizer does.
  auto t = parse_ok(std::string("\xff\xfe + b"));
  ASSERT_EQ(t.size(), 2u);
}

TEST(QueryExpression, FormatReadsBackToTheSameTerms) {
  const char* exprs[] = {
      "a red circle - red + blue",   "2:a beach + 0.5:red - 0.25:people", "-red + circle",
      "a \"t-shirt\" - \"2:00 pm\"",   "\"similar:img-01.png\" + 3:at night", "https://example.org/a-b.jpg",
      "\" x \" + similar:plain.jpg", "a black-and-white t-shirt - img-01.png", "\"a - b\" + \"-c\"",
  };
  for (const char* e : exprs) {
    auto terms = parse_ok(e);
    auto written = format_query_expression(terms);
    ASSERT_TRUE(written.ok()) << e << ": " << written.message();
    auto again = parse_ok(*written);
    ASSERT_EQ(again.size(), terms.size()) << e << " -> " << *written;
    for (size_t i = 0; i < terms.size(); ++i) {
      EXPECT_EQ(again[i].text, terms[i].text) << *written;
      EXPECT_EQ(again[i].weight, terms[i].weight) << *written;
      EXPECT_EQ(again[i].kind, terms[i].kind) << *written;
    }
  }
  EXPECT_EQ(*format_query_expression(parse_ok("a red circle -red +2:blue")), "a red circle - red + 2:blue");
  EXPECT_EQ(*format_query_expression(parse_ok("a t-shirt")), "a t-shirt");
  EXPECT_EQ(*format_query_expression(parse_ok("\"a - b\" + \"-c\"")), "\"a - b\" + \"-c\"");
  EXPECT_EQ(*format_query_expression(parse_ok("\"similar:a-b\"")), "similar:a-b");
}

TEST(QueryExpression, FormatRefusesTermsItCannotWrite) {
  QueryTerm quote;
  quote.text = "say \"hi\"";
  EXPECT_NE(format_query_expression({quote}).message().find("'\"'"), std::string::npos);
  QueryTerm heavy;
  heavy.text = "x";
  heavy.weight = 2000;
  EXPECT_NE(format_query_expression({heavy}).message().find("weight"), std::string::npos);
  EXPECT_FALSE(format_query_expression({}).ok());
  EXPECT_FALSE(format_query_expression({QueryTerm{}}).ok());
}

}  // namespace
}  // namespace clip
