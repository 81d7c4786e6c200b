#include "core/query/unknown_words.h"

#include <algorithm>

#include "core/text/clip_pretokenize.h"
#include "core/text/unicode.h"

namespace clip {
namespace {

bool has_letter_or_digit(const std::string& utf8) {
  std::u32string cps;
  unicode::decode_utf8(utf8, cps);
  for (char32_t c : cps) {
    const auto k = unicode::char_class(c);
    if (k == unicode::CharClass::kLetter || k == unicode::CharClass::kNumber) return true;
  }
  return false;
}

}  // namespace

std::vector<std::string> unknown_words(const ClipTokenizer& tokenizer, std::string_view text,
                                       const std::vector<int32_t>& known_ids) {
  std::vector<std::string> out;
  const std::u32string normalized = clip_normalize(text);
  ClipPieces pieces(normalized);
  for (ClipPiece p; pieces.next(p);) {
    if (p.kind != ClipPiece::Kind::kWord || !has_letter_or_digit(p.word)) continue;
    // BPE works word by word, so a word alone gets the tokens it gets in the text.
    const std::vector<int32_t> ids = tokenizer.encode(p.word, p.word.size() + 2);
    const bool known = std::all_of(ids.begin() + 1, ids.end() - 1, [&](int32_t id) {
      return std::binary_search(known_ids.begin(), known_ids.end(), id);
    });
    if (!known && std::find(out.begin(), out.end(), p.word) == out.end()) out.push_back(p.word);
  }
  return out;
}

std::vector<std::string> unknown_words(const TextTokenizer& tokenizer, const std::vector<std::string>& texts,
                                       const std::vector<int32_t>& known_ids) {
  std::vector<std::string> out;
  const auto* clip_bpe = dynamic_cast<const ClipTokenizer*>(&tokenizer);
  if (known_ids.empty() || !clip_bpe) return out;
  for (const std::string& text : texts)
    for (std::string& w : unknown_words(*clip_bpe, text, known_ids))
      if (std::find(out.begin(), out.end(), w) == out.end()) out.push_back(std::move(w));
  return out;
}

}  // namespace clip
