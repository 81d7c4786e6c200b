#include "core/text/clip_pretokenize.h"

#include "core/text/unicode.h"

namespace clip {
namespace {

using unicode::CharClass;

constexpr std::u32string_view kStartOfText = U"<|startoftext|>";
constexpr std::u32string_view kEndOfText = U"<|endoftext|>";

// Length of the contraction ('s 't 're 've 'm 'll 'd) at text[pos], or 0.
size_t contraction_at(std::u32string_view text, size_t pos) {
  if (text[pos] != U'\'' || pos + 1 >= text.size()) return 0;
  const char32_t a = text[pos + 1];
  if (a == U's' || a == U't' || a == U'm' || a == U'd') return 2;
  if (pos + 2 >= text.size()) return 0;
  const char32_t b = text[pos + 2];
  if ((a == U'r' && b == U'e') || (a == U'v' && b == U'e') || (a == U'l' && b == U'l')) return 3;
  return 0;
}

}  // namespace

std::u32string clip_normalize(std::string_view utf8) {
  std::u32string decoded;
  decoded.reserve(utf8.size());
  unicode::decode_utf8(utf8, decoded);
  const std::u32string nfc = unicode::to_nfc(decoded);

  std::u32string out;
  out.reserve(nfc.size());
  bool space_pending = false;
  for (char32_t c : nfc) {
    if (unicode::char_class(c) == CharClass::kSpace) {
      space_pending = !out.empty();  // leading white space is dropped, trailing never flushed
      continue;
    }
    if (space_pending) out.push_back(U' ');
    space_pending = false;
    unicode::append_lowercase(c, out);
  }
  return out;
}

size_t ClipPieces::special_at(size_t pos, ClipPiece::Kind& kind) const {
  if (text_[pos] != U'<') return 0;
  const std::u32string_view rest = text_.substr(pos);
  if (rest.substr(0, kStartOfText.size()) == kStartOfText) {
    kind = ClipPiece::Kind::kStartOfText;
    return kStartOfText.size();
  }
  if (rest.substr(0, kEndOfText.size()) == kEndOfText) {
    kind = ClipPiece::Kind::kEndOfText;
    return kEndOfText.size();
  }
  return 0;
}

bool ClipPieces::next(ClipPiece& piece) {
  const size_t n = text_.size();
  while (pos_ < n) {
    ClipPiece::Kind special;
    if (size_t len = special_at(pos_, special)) {
      piece.kind = special;
      piece.word.clear();
      pos_ += len;
      return true;
    }
    const CharClass cls = unicode::char_class(text_[pos_]);
    if (cls == CharClass::kSpace) {
      ++pos_;
      continue;
    }
    // The regex's alternatives in its order; each match is as long as it goes.
    size_t end = pos_ + 1;
    if (size_t len = contraction_at(text_, pos_)) {
      end = pos_ + len;
    } else if (cls == CharClass::kLetter) {
      while (end < n && unicode::char_class(text_[end]) == CharClass::kLetter) ++end;
    } else if (cls == CharClass::kOther) {
      // Special tokens are split off before the regex runs, so a run of
      // punctuation stops where one begins ("!<|endoftext|>").
      while (end < n && unicode::char_class(text_[end]) == CharClass::kOther &&
             !special_at(end, special))
        ++end;
    }  // kNumber: one digit per piece
    piece.kind = ClipPiece::Kind::kWord;
    piece.word.clear();
    for (size_t i = pos_; i < end; ++i) unicode::append_utf8(text_[i], piece.word);
    pos_ = end;
    return true;
  }
  return false;
}

}  // namespace clip
