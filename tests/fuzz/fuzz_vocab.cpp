// The tokenizer file loaders on hostile input: the first byte picks the
// format (OpenAI bpe_simple_vocab, vocab.json + merges.txt split at the first
// NUL byte, tokenizer.json), the rest is the file. A tokenizer that loads
// must encode anything without leaving its vocabulary.
#include <string>

#include "core/text/clip_tokenizer.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

clip::Result<clip::ClipTokenizer> load(fuzz::Bytes& in) {
  const uint8_t format = in.u8() % 3;
  const std::string_view text = in.rest();
  if (format == 0) return clip::ClipTokenizer::from_bpe_merges(text);
  if (format == 1) {
    const size_t nul = text.find('\0');
    if (nul == std::string_view::npos) return clip::ClipTokenizer::from_vocab_and_merges(text, "");
    return clip::ClipTokenizer::from_vocab_and_merges(text.substr(0, nul), text.substr(nul + 1));
  }
  return clip::ClipTokenizer::from_tokenizer_json(text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Bytes in(data, size);
  clip::Result<clip::ClipTokenizer> tok = load(in);
  if (!tok) return 0;
  // Texts that reach every merge path: words, special tokens, bytes that
  // are not UTF-8, and the loaded file itself (its tokens as text).
  const std::string_view texts[] = {
      "a photo of a dog", "<|startoftext|>Hello <|ENDOFTEXT|> world!", "\xff\xfe caf\xc3\xa9 \xe2\x82",
      std::string_view(reinterpret_cast<const char*>(data), size < 512 ? size : 512)};
  for (std::string_view text : texts) {
    const std::vector<int32_t> ids = tok->encode(text);
    FUZZ_CHECK(ids.size() >= 2 && ids.size() <= 77, "%zu ids", ids.size());
    FUZZ_CHECK(ids.front() == tok->start_id() && ids.back() == tok->end_id(), "missing start or end token");
    for (int32_t id : ids) FUZZ_CHECK(id >= 0 && size_t(id) < tok->vocab_size(), "id %d outside the vocabulary", id);
  }
  return 0;
}
