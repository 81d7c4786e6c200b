#include "core/text/bert_pretokenize.h"

#include <algorithm>

#include "core/text/unicode.h"

namespace clip {
namespace {

using unicode::GeneralCategory;

// _clean_text drops these: NUL, U+FFFD, and Cc/Cf other than tab, LF and CR.
bool is_dropped(char32_t cp) {
  if (cp == 0 || cp == unicode::kReplacementChar) return true;
  if (cp == '\t' || cp == '\n' || cp == '\r') return false;
  const GeneralCategory gc = unicode::general_category(cp);
  return gc == GeneralCategory::kCc || gc == GeneralCategory::kCf;
}

// _clean_text turns tab, LF, CR and Zs into a space; Python's str.split()
// then also splits on what remains of its own white space (U+2028, U+2029).
bool is_separator(char32_t cp) {
  return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || unicode::is_python_space(cp);
}

// _is_punctuation: every ASCII character that is neither a letter, a digit,
// white space nor a control, and category P* everywhere.
bool is_punctuation(char32_t cp) {
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126))
    return true;
  return cp >= 0x80 && unicode::is_punctuation_category(unicode::general_category(cp));
}

// Python's str.lower(): the full mapping, plus Final_Sigma for U+03A3 (a
// capital sigma after a cased letter and not before one, case-ignorable
// characters skipped both ways, becomes the final form U+03C2).
std::u32string python_lower(const std::u32string& s) {
  std::u32string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != 0x3A3) {
      unicode::append_lowercase(s[i], out);
      continue;
    }
    size_t j = i;
    while (j > 0 && unicode::is_case_ignorable(s[j - 1])) --j;
    bool final_sigma = j > 0 && unicode::is_cased(s[j - 1]);
    if (final_sigma) {
      size_t k = i + 1;
      while (k < s.size() && unicode::is_case_ignorable(s[k])) ++k;
      final_sigma = k == s.size() || !unicode::is_cased(s[k]);
    }
    out.push_back(final_sigma ? 0x3C2 : 0x3C3);
  }
  return out;
}

}  // namespace

bool is_bert_cjk_ideograph(char32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF) ||
         (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

BertWords::BertWords(std::string_view utf8) { unicode::decode_utf8(utf8, text_); }

bool BertWords::next_token(std::u32string& token) {
  token.clear();
  while (pos_ < text_.size()) {
    const char32_t c = text_[pos_];
    if (is_dropped(c)) {
      ++pos_;
      continue;
    }
    if (is_separator(c)) {
      ++pos_;
      if (!token.empty()) return true;
      continue;
    }
    if (is_bert_cjk_ideograph(c)) {
      if (!token.empty()) return true;  // the ideograph starts the next token
      token.push_back(c);
      ++pos_;
      return true;
    }
    token.push_back(c);
    ++pos_;
  }
  return !token.empty();
}

void BertWords::split_token(const std::u32string& token) {
  queue_.clear();
  queue_pos_ = 0;
  for (char32_t c : unicode::to_nfd(python_lower(token))) {
    if (unicode::general_category(c) == GeneralCategory::kMn) continue;  // accents go
    if (is_punctuation(c)) {
      queue_.push_back(' ');
      queue_.push_back(c);
      queue_.push_back(' ');
    } else {
      // Lowercasing and NFD make no white space today; the reference splits
      // its output on white space again, so a separator would split here too.
      queue_.push_back(is_separator(c) ? ' ' : c);
    }
  }
}

bool BertWords::next(std::u32string& word) {
  for (;;) {
    while (queue_pos_ < queue_.size() && queue_[queue_pos_] == ' ') ++queue_pos_;
    if (queue_pos_ < queue_.size()) {
      const size_t end = std::min(queue_.find(U' ', queue_pos_), queue_.size());
      word.assign(queue_, queue_pos_, end - queue_pos_);
      queue_pos_ = end;
      return true;
    }
    std::u32string token;
    if (!next_token(token)) return false;
    split_token(token);
  }
}

}  // namespace clip
