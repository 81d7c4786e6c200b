// The page's tokenizer object: one text tower's tokenizer, whatever its kind
// (ModelSpec::make_tokenizer picks it), with the tower's context length.
// Made by core.towerTokenizer (bind_model_spec.cpp); core.unknownWords
// (bind_query.cpp) reads it.
#pragma once
#include <emscripten/val.h>

#include <memory>
#include <string>

#include "core/text/text_tokenizer.h"
#include "wasm/js_convert.h"

namespace clipwasm {

class TowerTokenizer {
 public:
  TowerTokenizer(std::unique_ptr<clip::TextTokenizer> tok, size_t context) : tok_(std::move(tok)), context_(context) {}
  val encode(const std::string& text) const { return copy_to_js(tok_->encode(text, context_)); }
  val encode_with_context(const std::string& text, size_t context) const { return copy_to_js(tok_->encode(text, context)); }
  int32_t start_id() const { return tok_->start_id(); }
  int32_t end_id() const { return tok_->end_id(); }
  double vocab_size() const { return double(tok_->vocab_size()); }
  const clip::TextTokenizer& tokenizer() const { return *tok_; }

 private:
  std::unique_ptr<clip::TextTokenizer> tok_;
  size_t context_;
};

}  // namespace clipwasm
