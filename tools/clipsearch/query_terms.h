// A --query expression made into one query vector: each term embedded by
// what it names (text by the text encoder; an existing image file or an
// http(s) URL by the vision encoder; similar:ID by the index's stored
// vector), then combined by the core (combine_term_embeddings).
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "core/query/query_expression.h"
#include "core/index/index.h"
#include "core/util/result.h"
#include "tools/ort/clip_model.h"

namespace clipsearch {

// What a term turned out to be, as --json reports it.
enum class TermSource { kText, kImageFile, kImageUrl, kIndexedId };
const char* term_source_name(TermSource source);  // "text", "image", "url", "id"

struct EmbeddedTerm {
  clip::QueryTerm term;
  TermSource source = TermSource::kText;
  std::string indexed_id;  // the index's id for this image, if it is indexed ("" otherwise)
};

struct EmbeddedQuery {
  std::vector<EmbeddedTerm> terms;
  std::vector<float> vector;  // normalised
  // Judged against unrelated images when any positive term is an image,
  // against unrelated captions otherwise.
  bool image_modality = false;
};

// The words of `texts` the model's primary text tower never saw in training
// (model.json text.trained_token_ids); empty when the model does not say, or
// its tokenizer is not CLIP's (the word split is CLIP's pre-tokenizer).
std::vector<std::string> unknown_words(ClipModel& model, const std::vector<std::string>& texts);

// `model` loads the model on first use, so an expression of similar:ID
// terms runs no encoder at all.
using ModelLoader = std::function<clip::Result<ClipModel*>()>;
// Text terms go to the text tower `lang` picks for each (--lang: en, zh, auto).
// A text term naming an existing file is an image term when
// `files_are_images` (expressions); --text passes false, so its text is
// always read as text.
clip::Result<EmbeddedQuery> embed_query_terms(const std::vector<clip::QueryTerm>& terms, const clip::Index& index,
                                              const ModelLoader& model, const std::string& lang,
                                              bool files_are_images);
clip::Result<EmbeddedQuery> embed_query_expression(const std::string& expression, const clip::Index& index,
                                                   const ModelLoader& model, const std::string& lang = "auto");

}  // namespace clipsearch
