// Tokenizer: the three vocabulary formats a CLIP model may ship, and encode().
#include <emscripten/bind.h>

#include "core/text/clip_tokenizer.h"
#include "wasm/js_convert.h"

namespace clipwasm {
namespace {

using clip::ClipTokenizer;

// A Tokenizer instance on success, { ok: false, error } on failure.
val tokenizer_or_error(clip::Result<ClipTokenizer> r) {
  if (!r) return error_object(r.message());
  return val(std::move(r).value());
}

val from_bpe_merges(const std::string& merges) {
  return tokenizer_or_error(ClipTokenizer::from_bpe_merges(merges));
}

val from_vocab_merges(const std::string& vocab_json, const std::string& merges_txt) {
  return tokenizer_or_error(ClipTokenizer::from_vocab_and_merges(vocab_json, merges_txt));
}

val from_tokenizer_json(const std::string& json) {
  return tokenizer_or_error(ClipTokenizer::from_tokenizer_json(json));
}

val encode_with_context(const ClipTokenizer& tok, const std::string& text, size_t context_length) {
  return copy_to_js(tok.encode(text, context_length));
}

val encode(const ClipTokenizer& tok, const std::string& text) {
  return copy_to_js(tok.encode(text));
}

}  // namespace

EMSCRIPTEN_BINDINGS(clipsearch_tokenizer) {
  using namespace emscripten;
  class_<ClipTokenizer>("Tokenizer")
      .class_function("fromBpeMerges", &from_bpe_merges)
      .class_function("fromVocabMerges", &from_vocab_merges)
      .class_function("fromTokenizerJson", &from_tokenizer_json)
      .function("encode", &encode)
      .function("encode", &encode_with_context)
      .property("startId", &ClipTokenizer::start_id)
      .property("endId", &ClipTokenizer::end_id)
      .property("vocabSize", &ClipTokenizer::vocab_size);
}

}  // namespace clipwasm
