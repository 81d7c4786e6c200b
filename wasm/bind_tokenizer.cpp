// Tokenizers: CLIP BPE (the three vocabulary formats a CLIP model may ship)
// and WordPiece (a BERT vocab.txt, Chinese-CLIP), each with encode().
#include <emscripten/bind.h>

#include "core/text/clip_tokenizer.h"
#include "core/text/query_language.h"
#include "core/text/wordpiece_tokenizer.h"
#include "wasm/js_convert.h"

namespace clipwasm {
namespace {

using clip::ClipTokenizer;
using clip::WordPieceTokenizer;

// A tokenizer instance, or a ClipError to throw.
template <class Tokenizer>
val tokenizer_or_js_error(clip::Result<Tokenizer> r) {
  if (!r) return js_error(r.message());
  return val(std::move(r).value());
}

val from_bpe_merges(const std::string& merges) {
  return tokenizer_or_js_error(ClipTokenizer::from_bpe_merges(merges));
}

val from_vocab_merges(const std::string& vocab_json, const std::string& merges_txt) {
  return tokenizer_or_js_error(ClipTokenizer::from_vocab_and_merges(vocab_json, merges_txt));
}

val from_tokenizer_json(const std::string& json) {
  return tokenizer_or_js_error(ClipTokenizer::from_tokenizer_json(json));
}

// encode(text[, context]): ids as an Int32Array; each tokenizer has its own default context.
template <class Tokenizer>
val encode_with_context(const Tokenizer& tok, const std::string& text, size_t context_length) {
  return copy_to_js(tok.encode(text, context_length));
}

template <class Tokenizer>
val encode(const Tokenizer& tok, const std::string& text) {
  return copy_to_js(tok.encode(text));
}

val from_vocab_txt(const std::string& vocab_txt) {
  return tokenizer_or_js_error(WordPieceTokenizer::from_vocab_txt(vocab_txt));
}

// pickQueryLanguage(text, "auto" | "en" | "zh", model's languages): the
// language whose text tower reads `text` (core/text/query_language.h).
val pick_query_language(const std::string& text, const std::string& requested, const val& languages) {
  std::vector<std::string> langs;
  const size_t n = languages["length"].as<size_t>();
  for (size_t i = 0; i < n; ++i) langs.push_back(languages[i].as<std::string>());
  clip::Result<std::string> r = clip::pick_query_language(text, requested, langs);
  if (!r) return js_error(r.message());
  return val(*r);
}

}  // namespace

EMSCRIPTEN_BINDINGS(clipsearch_tokenizer) {
  using namespace emscripten;
  function("pickQueryLanguage", &pick_query_language);
  class_<ClipTokenizer>("Tokenizer")
      .class_function("fromBpeMerges", &from_bpe_merges)
      .class_function("fromVocabMerges", &from_vocab_merges)
      .class_function("fromTokenizerJson", &from_tokenizer_json)
      .function("encode", &encode<ClipTokenizer>)
      .function("encode", &encode_with_context<ClipTokenizer>)
      .property("startId", &ClipTokenizer::start_id)
      .property("endId", &ClipTokenizer::end_id)
      .property("vocabSize", &ClipTokenizer::vocab_size);
  class_<WordPieceTokenizer>("WordPieceTokenizer")
      .class_function("fromVocabTxt", &from_vocab_txt)
      .function("encode", &encode<WordPieceTokenizer>)
      .function("encode", &encode_with_context<WordPieceTokenizer>)
      .property("startId", &WordPieceTokenizer::start_id)
      .property("endId", &WordPieceTokenizer::end_id)
      .property("unknownId", &WordPieceTokenizer::unknown_id)
      .property("padId", &WordPieceTokenizer::pad_id)
      .property("vocabSize", &WordPieceTokenizer::vocab_size);
}

}  // namespace clipwasm
