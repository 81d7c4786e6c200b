#include "tools/clipsearch/query_terms.h"

#include "core/query/unknown_words.h"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/image/preprocess.h"
#include "core/query/query_combine.h"
#include "core/util/sha256.h"
#include "tools/clipsearch/query_lang.h"
#include "tools/net/http.h"
#include "tools/pipeline/file_io.h"

namespace fs = std::filesystem;

namespace clipsearch {
namespace {

// Same limits as URL rows of `index` (docs/CLI.md).
constexpr uint64_t kMaxImageBytes = uint64_t(50) << 20;

std::string term_label(const clip::QueryTerm& t) {
  return "term " + std::to_string(t.column) + " (\"" + t.text + "\")";
}

clip::Result<std::vector<float>> embed_image_bytes(ClipModel& model, const std::vector<uint8_t>& bytes,
                                                   const std::string& name) {
  auto pixels = clip::preprocess_encoded(clip::ByteView(bytes), model.image_config());
  if (!pixels.ok()) return clip::make_error(name + ": " + pixels.message());
  return model.embed_images(pixels->data(), 1);
}

}  // namespace

const char* term_source_name(TermSource source) {
  switch (source) {
    case TermSource::kText: return "text";
    case TermSource::kImageFile: return "image";
    case TermSource::kImageUrl: return "url";
    case TermSource::kIndexedId: return "id";
  }
  return "text";
}

std::vector<std::string> unknown_words(ClipModel& model, const std::vector<std::string>& texts) {
  const std::vector<int32_t>& known = model.manifest().text().trained_token_ids;
  if (known.empty()) return {};
  auto tok = model.tokenizer();
  if (!tok) return {};
  return clip::unknown_words(**tok, texts, known);
}

clip::Result<EmbeddedQuery> embed_query_expression(const std::string& expression, const clip::Index& index,
                                                   const ModelLoader& load_model, const std::string& lang) {
  auto parsed = clip::parse_query_expression(expression);
  CLIP_TRY(parsed);
  return embed_query_terms(*parsed, index, load_model, lang, true);
}

clip::Result<EmbeddedQuery> embed_query_terms(const std::vector<clip::QueryTerm>& terms, const clip::Index& index,
                                              const ModelLoader& load_model, const std::string& lang,
                                              bool files_are_images) {
  EmbeddedQuery out;
  const size_t dim = index.searcher().dim();
  std::vector<float> rows, weights;
  std::vector<size_t> text_terms;  // embedded together, after the images
  for (const clip::QueryTerm& t : terms) {
    EmbeddedTerm e;
    e.term = t;
    std::vector<float> row;
    if (t.kind == clip::TermKind::kIndexedId) {
      e.source = TermSource::kIndexedId;
      auto stored = index.embedding(t.text);
      if (!stored.ok())
        return clip::make_error("query: no image with id '" + t.text + "' in the index (character " +
                                std::to_string(t.column) + ")");
      e.indexed_id = t.text;
      row = std::move(*stored);
    } else {
      std::error_code ec;
      const bool file = files_are_images && t.kind == clip::TermKind::kText && fs::is_regular_file(t.text, ec);
      if (t.kind == clip::TermKind::kImageUrl || file) {
        e.source = file ? TermSource::kImageFile : TermSource::kImageUrl;
        auto model = load_model();
        CLIP_TRY(model);
        clip::Result<std::vector<uint8_t>> bytes = clip::make_error("");
        if (file) {
          bytes = read_file(t.text, kMaxImageBytes);
        } else {
          net::HttpLimits limits;
          limits.timeout_s = 60;
          limits.max_bytes = kMaxImageBytes;
          bytes = net::download_to_memory(t.text, limits);
        }
        if (!bytes.ok()) return clip::make_error("query " + term_label(t) + ": " + bytes.message());
        e.indexed_id = index.find_content(clip::sha256(bytes->data(), bytes->size()));
        auto emb = embed_image_bytes(**model, *bytes, t.text);
        if (!emb.ok()) return clip::make_error("query " + term_label(t) + ": " + emb.message());
        row = std::move(*emb);
      } else {
        text_terms.push_back(out.terms.size());
      }
    }
    if (t.weight > 0 && e.source != TermSource::kText) out.image_modality = true;
    if (row.empty()) row.assign(dim, 0.0f);  // filled in below
    if (row.size() != dim)
      return clip::make_error("query " + term_label(t) + ": embedding has dim " + std::to_string(row.size()) +
                              ", the index " + std::to_string(dim));
    rows.insert(rows.end(), row.begin(), row.end());
    weights.push_back(t.weight);
    out.terms.push_back(std::move(e));
  }
  if (!text_terms.empty()) {
    auto model = load_model();
    CLIP_TRY(model);
    std::vector<std::string> texts;
    for (size_t i : text_terms) texts.push_back(out.terms[i].term.text);
    auto emb = embed_texts_by_language(**model, texts, lang);
    CLIP_TRY(emb);
    if (emb->size() != texts.size() * dim)
      return clip::make_error("query: the text encoder's embeddings have dim " +
                              std::to_string(emb->size() / texts.size()) + ", the index " + std::to_string(dim));
    for (size_t j = 0; j < text_terms.size(); ++j)
      std::copy_n(emb->data() + j * dim, dim, rows.data() + text_terms[j] * dim);
  }
  auto combined = clip::combine_term_embeddings(rows, weights, dim);
  CLIP_TRY(combined);
  out.vector = std::move(*combined);
  return out;
}

}  // namespace clipsearch
