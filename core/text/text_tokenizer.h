// What a text tower's runtime needs from any tokenizer: CLIP's byte-level
// BPE (clip_tokenizer.h) and BERT's WordPiece alike. The model's spec picks
// the implementation from model.json's tokenizer.kind
// (core/model/tokenizer_factory.h), so callers hold this interface only.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

namespace clip {

class TextTokenizer {
 public:
  virtual ~TextTokenizer() = default;

  // Ids with the start and end tokens, at most context_length of them (the
  // end token is kept when truncating), never padded: padding is the text
  // input contract's job (core/model/text_input.h).
  virtual std::vector<int32_t> encode(std::string_view utf8, size_t context_length) const = 0;

  virtual int32_t start_id() const = 0;
  virtual int32_t end_id() const = 0;
  virtual size_t vocab_size() const = 0;
};

}  // namespace clip
