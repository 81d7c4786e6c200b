// Query expressions, term combination, zero-shot labels, unknown words and
// the calibration captions: the same core/query/ code as `clipsearch search
// --query` and `clipsearch labels`. The match verdict itself is on Index
// (bind_index.cpp), which holds the calibration.
#include <emscripten/bind.h>

#include <algorithm>

#include "core/query/match_calibration.h"
#include "core/query/query_combine.h"
#include "core/query/query_expression.h"
#include "core/query/unknown_words.h"
#include "core/query/zero_shot_labels.h"
#include "wasm/js_convert.h"
#include "wasm/tower_tokenizer.h"

namespace clipwasm {
namespace {

const char* kind_name(clip::TermKind k) {
  switch (k) {
    case clip::TermKind::kText: return "text";
    case clip::TermKind::kImageUrl: return "url";
    case clip::TermKind::kIndexedId: return "id";
  }
  return "text";
}

// [{ weight, text, kind, column }]
val parse_query(const std::string& expression) {
  auto terms = clip::parse_query_expression(expression);
  if (!terms) return js_error(terms.message());
  val list = val::array();
  for (const clip::QueryTerm& t : *terms) {
    val o = val::object();
    o.set("weight", t.weight);
    o.set("text", t.text);
    o.set("kind", std::string(kind_name(t.kind)));
    o.set("column", t.column);
    list.call<void>("push", o);
  }
  return list;
}

// terms: [{ weight, text, kind }] -> the expression
val format_query(const val& terms) {
  std::vector<clip::QueryTerm> list;
  const size_t n = terms["length"].as<size_t>();
  for (size_t i = 0; i < n; ++i) {
    val t = terms[i];
    clip::QueryTerm q;
    if (!t["weight"].isUndefined()) q.weight = t["weight"].as<float>();
    read_string(t, "text", &q.text);
    std::string kind = "text";
    read_string(t, "kind", &kind);
    if (kind == "id") q.kind = clip::TermKind::kIndexedId;
    else if (kind == "url") q.kind = clip::TermKind::kImageUrl;
    else if (kind != "text") return js_error("formatQuery: term " + std::to_string(i + 1) + " has kind '" + kind +
                                                 "' (expected text, url or id)");
    list.push_back(std::move(q));
  }
  auto expression = clip::format_query_expression(list);
  if (!expression) return js_error(expression.message());
  return val(*expression);
}

// A Float32Array on success.
val combine_embeddings(const val& rows, const val& weights, size_t dim) {
  auto q = clip::combine_term_embeddings(floats_from_js(rows), floats_from_js(weights), dim);
  if (!q) return js_error(q.message());
  return copy_to_js(*q);
}

// [{ label (index), score, prob }], best first.
val score_labels(const val& image, const val& labels, size_t dim, float logit_scale) {
  auto scores = clip::score_labels(floats_from_js(image), floats_from_js(labels), dim, logit_scale);
  if (!scores) return js_error(scores.message());
  val out = val::array();
  for (const clip::LabelScore& s : *scores) {
    val o = val::object();
    o.set("label", s.label);
    o.set("score", s.score);
    o.set("prob", s.prob);
    out.call<void>("push", o);
  }
  return out;
}

val apply_label_template(const std::string& templ, const std::string& label) {
  auto text = clip::apply_label_template(templ, label);
  if (!text) return js_error(text.message());
  return val(*text);
}

val string_array(const std::vector<std::string>& v) {
  val out = val::array();
  for (const auto& s : v) out.call<void>("push", s);
  return out;
}

val parse_label_list(const std::string& text) {
  auto labels = clip::parse_label_list(text);
  if (!labels) return js_error(labels.message());
  return string_array(*labels);
}

val calibration_captions() { return string_array(clip::calibration_captions()); }

// tok: a core.towerTokenizer; texts: a string or an array of strings;
// knownIds: the model's trained_token_ids. [] when knownIds is empty or the
// tower's tokenizer is not CLIP's BPE.
val unknown_words(const TowerTokenizer& tok, const val& texts, const val& known_ids) {
  std::vector<std::string> list;
  if (texts.isString()) {
    list.push_back(texts.as<std::string>());
  } else {
    const size_t n = texts["length"].as<size_t>();
    for (size_t i = 0; i < n; ++i) list.push_back(texts[i].as<std::string>());
  }
  std::vector<int32_t> known(known_ids["length"].as<size_t>());
  for (size_t i = 0; i < known.size(); ++i) known[i] = known_ids[i].as<int32_t>();
  std::sort(known.begin(), known.end());
  return string_array(clip::unknown_words(tok.tokenizer(), list, known));
}

}  // namespace

EMSCRIPTEN_BINDINGS(clipsearch_query) {
  using emscripten::function;
  function("parseQuery", &parse_query);
  function("formatQuery", &format_query);
  function("combineEmbeddings", &combine_embeddings);
  function("scoreLabels", &score_labels);
  function("applyLabelTemplate", &apply_label_template);
  function("parseLabelList", &parse_label_list);
  function("calibrationCaptions", &calibration_captions);
  function("unknownWords", &unknown_words);
  emscripten::constant("defaultLabelTemplate", std::string(clip::kDefaultLabelTemplate));
}

}  // namespace clipwasm
