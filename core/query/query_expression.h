// Query expressions: terms joined by '+' and '-', each optionally weighted,
// as typed in the CLI's --query and the page's search box:
//   a red circle - red + blue
//   2:a beach + 0.5:red - "t-shirt"
//   photos/cat.jpg + at night            (the CLI reads an existing file as an image)
//   similar:trips/beach.jpg - people     (an indexed image's stored vector)
// The query vector is the weighted sum of the normalised term embeddings,
// normalised again (combine_term_embeddings, query_combine.h).
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/result.h"

namespace clip {

// Longest expression accepted, in bytes (a search box, not a document).
constexpr size_t kMaxQueryExpressionBytes = 16384;
constexpr size_t kMaxQueryTerms = 64;
// The weights a term may carry; weights are positive, the sign is the operator's.
constexpr float kMinTermWeight = 0.001f;
constexpr float kMaxTermWeight = 1000.0f;

// What a term names. The parser knows only what the text itself says
// (a URL, a `similar:` reference); whether a plain term names an existing
// image file is for the caller to decide (the CLI checks the file system).
enum class TermKind { kText, kImageUrl, kIndexedId };

struct QueryTerm {
  float weight = 1.0f;     // signed: -0.5 for "- 0.5:red"
  std::string text;        // without weight and quotes, trimmed; for kIndexedId the id
  TermKind kind = TermKind::kText;
  size_t column = 0;       // 1-based character (code point) where the term starts
};

// Grammar (white space around operators and terms is ignored):
//   expr   := [sign] term (sign term)*
//   sign   := '+' | '-'
//   term   := [weight ':'] body
//   weight := digits ['.' digits] | '.' digits        (kMinTermWeight..kMaxTermWeight)
//   body   := one or more of: any character but '+', '-', '"'; or "..." (quoted,
//             may hold '+' and '-'; there is no escape for '"' itself)
// Every unquoted '+' or '-' is an operator: "t-shirt" needs its quotes.
// A body "similar:ID" is an indexed id; one starting "http://" or "https://"
// an image URL. Errors name the 1-based character: "query: empty term at
// character 9 (after '+')".
Result<std::vector<QueryTerm>> parse_query_expression(std::string_view expression);

// The expression text for `terms`, which parse_query_expression() reads back
// to the same terms (the first sign is left out when positive, a weight of 1
// is left out, a body with '+', '-', a leading weight-like prefix or
// surrounding space is quoted). Fails for a term that cannot be written: a '"'
// in its text, an empty text, or a weight out of range.
Result<std::string> format_query_expression(const std::vector<QueryTerm>& terms);

// "similar:" followed by an id: how an expression names an indexed image.
constexpr std::string_view kIndexedIdPrefix = "similar:";

}  // namespace clip
