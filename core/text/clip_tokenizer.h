// CLIP byte-level BPE tokenizer with the semantics of the Hugging Face fast
// CLIP tokenizer: NFC, whitespace runs collapsed, strip, lowercase, CLIP regex
// split, byte-level BPE with </w>, then [start] + ids[:context-2] + [end].
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/text/text_tokenizer.h"
#include "core/util/result.h"

namespace clip {

struct BpeVocabulary;

// Loaders take file contents, not paths (the core does no I/O). Errors name
// the format, the line or JSON path, and what was expected. encode() is
// thread-safe; per-word BPE results are cached.
class ClipTokenizer final : public TextTokenizer {
 public:
  static constexpr int32_t kStartOfText = 49406;
  static constexpr int32_t kEndOfText = 49407;

  // openai `bpe_simple_vocab_16e6.txt` (plain text: a version line, then merges).
  static Result<ClipTokenizer> from_bpe_merges(std::string_view merges_text);
  // Hugging Face pair: vocab.json (token -> id) and merges.txt.
  static Result<ClipTokenizer> from_vocab_and_merges(std::string_view vocab_json,
                                                     std::string_view merges_txt);
  // Hugging Face tokenizer.json (model.vocab + model.merges).
  static Result<ClipTokenizer> from_tokenizer_json(std::string_view tokenizer_json);

  // Token ids with start and end tokens, truncated to context_length (the end
  // token is kept), no padding. A context_length below 2 counts as 2.
  // Ill-formed UTF-8 is read as U+FFFD.
  std::vector<int32_t> encode(std::string_view utf8, size_t context_length = 77) const override;

  int32_t start_id() const override;
  int32_t end_id() const override;
  size_t vocab_size() const override;

  ClipTokenizer(ClipTokenizer&&) noexcept;
  ClipTokenizer& operator=(ClipTokenizer&&) noexcept;
  ~ClipTokenizer() override;

 private:
  struct Impl;
  explicit ClipTokenizer(std::unique_ptr<Impl> impl);
  static Result<ClipTokenizer> from_vocabulary(Result<BpeVocabulary> vocab, const char* format);
  std::unique_ptr<Impl> impl_;
};

}  // namespace clip
