// WordPiece tokenizer with the semantics of Chinese-CLIP's reference
// (cn_clip.clip.tokenize: BERT's basic tokenizer, greedy longest-match
// WordPiece with "##" continuations, [UNK] for a word over 200 characters or
// one with no match; then [CLS] + ids[:context-2] + [SEP]).
#pragma once
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "core/text/text_tokenizer.h"
#include "core/util/result.h"

namespace clip {

// Loaded from the contents of a BERT vocab.txt (the core does no I/O).
// encode() is thread-safe and keeps no state between calls.
class WordPieceTokenizer final : public TextTokenizer {
 public:
  // Chinese-CLIP's context: 52 ids with [CLS] and [SEP].
  static constexpr size_t kDefaultContextLength = 52;
  // Words longer than this many characters become [UNK] (BERT's
  // max_input_chars_per_word as Chinese-CLIP sets it).
  static constexpr size_t kMaxWordChars = 200;

  // One token per line, id = line number from 0; white space around a token
  // is stripped; a repeated token keeps its last id (as the reference's
  // dict). [CLS], [SEP] and [UNK] must be present.
  static Result<WordPieceTokenizer> from_vocab_txt(std::string_view vocab_txt);

  // Ids with [CLS] and [SEP], at most context_length of them ([SEP] is kept
  // when truncating), no padding. A context_length below 2 counts as 2.
  // Ill-formed UTF-8 reads as U+FFFD, which the basic tokenizer drops.
  std::vector<int32_t> encode(std::string_view utf8, size_t context_length = kDefaultContextLength) const override;

  int32_t start_id() const override;  // [CLS]
  int32_t end_id() const override;    // [SEP]
  int32_t unknown_id() const;
  int32_t pad_id() const;    // [PAD], or -1 when the vocabulary has none
  size_t vocab_size() const override;  // lines read (the largest id + 1)

  WordPieceTokenizer(WordPieceTokenizer&&) noexcept;
  WordPieceTokenizer& operator=(WordPieceTokenizer&&) noexcept;
  ~WordPieceTokenizer() override;

 private:
  struct Impl;
  explicit WordPieceTokenizer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace clip
