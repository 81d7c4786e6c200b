// CLIP's text normalizer and pre-tokenizer, as the Hugging Face fast CLIP
// tokenizer runs them: NFC, white-space runs to one space, lowercase; then the
// special tokens, then the CLIP regex
//   <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+
// on the text between them. The regex is hand-coded: no regex engine.
#pragma once
#include <string>
#include <string_view>

namespace clip {

// NFC, white-space runs collapsed to one space, stripped, lowercased.
std::u32string clip_normalize(std::string_view utf8);

struct ClipPiece {
  enum class Kind { kWord, kStartOfText, kEndOfText };
  Kind kind = Kind::kWord;
  std::string word;  // UTF-8 of a kWord piece, empty for special tokens
};

// Walks normalized text piece by piece (the text must outlive the walk):
//   std::u32string normalized = clip_normalize(text);
//   ClipPieces pieces(normalized);
//   for (ClipPiece p; pieces.next(p);) ...
class ClipPieces {
 public:
  explicit ClipPieces(std::u32string_view normalized) : text_(normalized) {}
  // Fills `piece` with the next piece; false at the end of the text.
  bool next(ClipPiece& piece);

 private:
  // The special token starting at pos_, if any, with its length.
  size_t special_at(size_t pos, ClipPiece::Kind& kind) const;

  std::u32string_view text_;
  size_t pos_ = 0;
};

}  // namespace clip
