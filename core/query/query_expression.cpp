#include "core/query/query_expression.h"

#include <cmath>
#include <cstdio>

#include "core/text/unicode.h"

namespace clip {
namespace {

bool is_space(char32_t c) { return unicode::char_class(c) == unicode::CharClass::kSpace; }
bool is_digit(char32_t c) { return c >= U'0' && c <= U'9'; }

bool starts_with_ascii_nocase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

std::string format_weight(float w) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", double(w));
  return buf;
}

std::string weight_range() {
  return "between " + format_weight(kMinTermWeight) + " and " + format_weight(kMaxTermWeight);
}

std::string describe(char32_t c) {
  std::string s = "'";
  unicode::append_utf8(c, s);
  return s + "'";
}

class Parser {
 public:
  explicit Parser(std::u32string text) : s_(std::move(text)) {}

  Result<std::vector<QueryTerm>> parse() {
    std::vector<QueryTerm> terms;
    skip_space();
    if (at_end()) return make_error("query: the expression is empty");
    float sign = 1.0f;
    char32_t op = 0;
    if (operator_at(i_)) op = s_[i_], sign = s_[i_] == U'-' ? -1.0f : 1.0f, ++i_;
    for (;;) {
      if (terms.size() == kMaxQueryTerms)
        return make_error("query: more than " + std::to_string(kMaxQueryTerms) + " terms (at character " +
                          std::to_string(i_ + 1) + ")");
      auto term = parse_term(op);
      CLIP_TRY(term);
      term->weight *= sign;
      terms.push_back(std::move(*term));
      skip_space();
      if (at_end()) return terms;
      // A body ends only at an operator or the end, so this is one.
      op = s_[i_];
      sign = op == U'-' ? -1.0f : 1.0f;
      ++i_;
    }
  }

 private:
  bool at_end() const { return i_ >= s_.size(); }
  // '+' or '-' joins terms at the start or after white space; inside a word
  // it is text, so "t-shirt", "black-and-white" and "img-01.png" stay whole.
  bool operator_at(size_t at) const {
    return (s_[at] == U'+' || s_[at] == U'-') && (at == 0 || is_space(s_[at - 1]));
  }
  void skip_space() {
    while (!at_end() && is_space(s_[i_])) ++i_;
  }
  std::string where(size_t at) const { return "at character " + std::to_string(at + 1); }
  std::string after(char32_t op) const { return op ? " (after " + describe(op) + ")" : ""; }

  // digits ['.' digits] | '.' digits, directly followed by ':'.
  bool weight_prefix(size_t* end, double* value) const {
    size_t j = i_;
    double v = 0, scale = 1;
    bool digits = false;
    while (j < s_.size() && is_digit(s_[j])) v = v * 10 + double(s_[j++] - U'0'), digits = true;
    if (j < s_.size() && s_[j] == U'.') {
      ++j;
      while (j < s_.size() && is_digit(s_[j])) scale /= 10, v += double(s_[j++] - U'0') * scale, digits = true;
    }
    if (!digits || j >= s_.size() || s_[j] != U':') return false;
    *end = j + 1;
    *value = v;
    return true;
  }

  Result<QueryTerm> parse_term(char32_t op) {
    skip_space();
    const size_t start = i_;
    if (at_end() || s_[i_] == U'+' || s_[i_] == U'-')
      return make_error("query: expected a term " + where(i_) + after(op) +
                        (at_end() ? ", found the end" : ", found " + describe(s_[i_])));
    QueryTerm term;
    term.column = start + 1;
    size_t body_at = i_;
    double weight = 1;
    if (weight_prefix(&body_at, &weight)) {
      if (!(weight >= double(kMinTermWeight)) || weight > double(kMaxTermWeight))
        return make_error("query: the weight " + where(start) + " must be " + weight_range());
      i_ = body_at;
      skip_space();
    }
    term.weight = float(weight);
    // Body: (quoted or plain character)*, trimmed of unquoted space at both ends.
    const size_t body_start = i_;
    std::u32string body;
    size_t keep = 0;  // length of `body` up to its last quoted or non-space character
    while (!at_end() && !operator_at(i_)) {
      if (s_[i_] == U'"') {
        const size_t open = i_++;
        while (!at_end() && s_[i_] != U'"') body.push_back(s_[i_++]);
        if (at_end()) return make_error("query: unterminated quote " + where(open));
        ++i_;
        keep = body.size();
        continue;
      }
      if (!is_space(s_[i_]) || !body.empty()) body.push_back(s_[i_]);
      if (!is_space(s_[i_])) keep = body.size();
      ++i_;
    }
    body.resize(keep);
    if (body.empty()) return make_error("query: empty term " + where(body_start) + after(op));
    term.text = unicode::encode_utf8(body);
    if (term.text.compare(0, kIndexedIdPrefix.size(), kIndexedIdPrefix) == 0) {
      term.kind = TermKind::kIndexedId;
      term.text.erase(0, kIndexedIdPrefix.size());
      if (term.text.empty()) return make_error("query: 'similar:' needs an id " + where(body_start));
    } else if (starts_with_ascii_nocase(term.text, "http://") || starts_with_ascii_nocase(term.text, "https://")) {
      term.kind = TermKind::kImageUrl;
    }
    return term;
  }

  std::u32string s_;
  size_t i_ = 0;
};

// A body that, written plainly, would not read back as itself.
bool needs_quotes(std::string_view body) {
  if (body.empty()) return true;
  size_t j = 0;
  while (j < body.size() && ((body[j] >= '0' && body[j] <= '9') || body[j] == '.')) ++j;
  if (j > 0 && j < body.size() && body[j] == ':') return true;  // looks like a weight
  std::u32string cps;
  unicode::decode_utf8(body, cps);
  for (size_t i = 0; i < cps.size(); ++i)  // a '+' or '-' the parser would read as an operator
    if ((cps[i] == U'+' || cps[i] == U'-') && (i == 0 || is_space(cps[i - 1]))) return true;
  return is_space(cps.front()) || is_space(cps.back());
}

}  // namespace

Result<std::vector<QueryTerm>> parse_query_expression(std::string_view expression) {
  if (expression.size() > kMaxQueryExpressionBytes)
    return make_error("query: the expression is " + std::to_string(expression.size()) + " bytes, more than " +
                      std::to_string(kMaxQueryExpressionBytes));
  std::u32string cps;
  unicode::decode_utf8(expression, cps);
  return Parser(std::move(cps)).parse();
}

Result<std::string> format_query_expression(const std::vector<QueryTerm>& terms) {
  if (terms.empty()) return make_error("query: no terms to write");
  std::string out;
  for (size_t n = 0; n < terms.size(); ++n) {
    const QueryTerm& t = terms[n];
    const float w = std::fabs(t.weight);
    if (!(w >= kMinTermWeight) || w > kMaxTermWeight)
      return make_error("query: term " + std::to_string(n + 1) + " has weight " + format_weight(t.weight) +
                        "; a weight must be " + weight_range());
    std::string body = t.kind == TermKind::kIndexedId ? std::string(kIndexedIdPrefix) + t.text : t.text;
    if (t.text.empty()) return make_error("query: term " + std::to_string(n + 1) + " is empty");
    if (body.find('"') != std::string::npos)
      return make_error("query: term " + std::to_string(n + 1) + " holds a '\"', which an expression cannot quote");
    if (needs_quotes(body)) body = "\"" + body + "\"";
    if (w != 1.0f) body = format_weight(w) + ":" + body;
    if (t.weight < 0) out += n ? " - " : "-";
    else if (n) out += " + ";
    out += body;
  }
  return out;
}

}  // namespace clip
