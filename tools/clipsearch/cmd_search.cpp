// clipsearch search: query an index by text, by image, by an indexed id, or
// by an expression of those with a verdict on whether anything matches.
//   clipsearch search --index photos.index --text "a dog on a beach" -k 5
//   clipsearch search --index photos.index --image query.jpg --json
//   clipsearch search --index photos.index --id cats/tom.jpg --exclude-self
//   clipsearch search --index photos.index --query "query.jpg + at night - 0.5:people" --json
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>

#include "core/index/index.h"
#include "core/query/match_calibration.h"
#include "core/query/unknown_words.h"
#include "tools/clipsearch/cli_common.h"
#include "tools/clipsearch/commands.h"
#include "tools/clipsearch/query_lang.h"
#include "tools/clipsearch/query_terms.h"
#include "tools/ort/text_embedding_cache.h"
#include "tools/pipeline/file_io.h"
#include "tools/pipeline/index_folder.h"
#include "tools/pipeline/input_list.h"

namespace fs = std::filesystem;

namespace clipsearch {
namespace {

struct Options {
  std::string index;
  std::string model;
  std::string device;
  std::string text, image, id, query;
  std::string lang;
  size_t k = 10;
  float min_score = -1.0f;
  bool json = false;
  bool json_full = false;
  std::string first_pass = "auto";
  bool exclude_self = false;
  bool has_query = false;
};

// The model for a query: --model, or the one manifest.json names (its folder
// relative to the index), or the default model; the index decides whether it
// can query it.
clip::Result<ClipModel> model_for_index(const LoadedIndex& index, const std::string& flag) {
  const clip::IndexManifest& m = index.manifest();
  auto check = [&](clip::Result<ClipModel> model, const std::string& how) -> clip::Result<ClipModel> {
    CLIP_TRY(model);
    if (auto st = index.index.check_model(model->spec().identity(), how); !st.ok())
      return clip::make_error(st.message() + " Pass --model with the index's model.");
    return model;
  };
  if (!flag.empty()) return check(ClipModel::load(flag), "--model " + flag);
  std::string named;
  if (!m.model_location.empty() && !is_url(m.model_location)) {
    named = (fs::path(index.dir) / m.model_location).lexically_normal().string();
    std::error_code ec;
    if (fs::exists(fs::path(named) / "model.json", ec)) return check(ClipModel::load(named), "the model at " + named);
  }
  const std::string fallback = default_model_dir();
  std::error_code ec;
  if (fs::exists(fs::path(fallback) / "model.json", ec)) {
    auto model = ClipModel::load(fallback);
    if (model.ok() && index.index.check_model(model->spec().identity(), "").ok()) return model;
  }
  return clip::make_error("cannot find model '" + m.model_name + "' that the index names" +
                          (m.model_location.empty() ? "" : " (at " + m.model_location + ")") +
                          "; pass --model DIR (clipsearch fetch-model can download it)");
}

// --text, --image or --id as the one term of a query, so every kind of
// search gets the same exclusion, verdict and output as an expression.
clip::Result<clip::QueryTerm> single_term(const Options& o) {
  clip::QueryTerm t;
  if (!o.id.empty()) {
    t.kind = clip::TermKind::kIndexedId;
    t.text = o.id;
  } else if (!o.image.empty()) {
    std::error_code ec;
    if (!fs::is_regular_file(o.image, ec)) {
      auto unreadable = read_file(o.image, 1);  // says why: missing, a folder, no permission
      return clip::make_error(unreadable.ok() ? o.image + ": not a regular file" : unreadable.message());
    }
    t.text = o.image;
  } else {
    t.text = o.text;
  }
  return t;
}

void print_table(const clip::Index& s, const std::vector<clip::Hit>& hits) {
  if (hits.empty()) {
    std::printf("no results\n");
    return;
  }
  std::printf("%4s  %7s  %-32s  %s\n", "rank", "score", "id", "caption");
  for (size_t i = 0; i < hits.size(); ++i) {
    const auto& r = s.record(hits[i]);
    std::printf("%4zu  %7.4f  %-32s  %s\n", i + 1, double(hits[i].score), r.id.c_str(), r.caption.c_str());
  }
}

clip::IndexQuery index_query(const Options& o) {
  clip::IndexQuery q;
  q.k = o.k;
  q.min_score = o.min_score;
  q.first_pass = o.first_pass == "binary" ? clip::FirstPass::kBinary
                 : o.first_pass == "int8" ? clip::FirstPass::kInt8
                                          : clip::FirstPass::kAuto;
  return q;
}

// The contract's list of {id, score, caption, source, thumb}; each hit also
// carries the result set's verdict, so a reader of one hit sees it too.
nlohmann::ordered_json hits_json(const clip::Index& s, const std::vector<clip::Hit>& hits, const char* match) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& h : hits) {
    const auto& r = s.record(h);
    out.push_back({{"id", r.id}, {"score", h.score}, {"caption", r.caption}, {"source", r.source},
                   {"thumb", r.thumb}, {"match", match}});
  }
  return out;
}

void print_json(const nlohmann::ordered_json& j) {
  std::cout << j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
}

// The noise band for this query's kind: unrelated captions embedded by the
// model, or the index's own images.
clip::Result<std::vector<float>> unrelated_lifts(const EmbeddedQuery& q, const clip::Searcher& s,
                                                 const clip::ScoreSample& sample, const ModelLoader& load_model) {
  if (q.image_modality) return clip::unrelated_image_lifts(s, sample);
  auto model = load_model();
  CLIP_TRY(model);
  // The same 64 vectors for every search with this model: kept between runs.
  auto captions = cached_text_embeddings(**model, clip::calibration_captions());
  CLIP_TRY(captions);
  return clip::unrelated_text_lifts(s, sample, *captions);
}

// Every search: the query's vector, its results, and whether they match.
int run_query(const Options& o, const LoadedIndex& index) {
  const clip::Index& searched = index.index;
  std::optional<ClipModel> model;
  ModelLoader load_model = [&]() -> clip::Result<ClipModel*> {
    if (model) return &*model;
    auto m = model_for_index(index, o.model);
    CLIP_TRY(m);
    auto device = parse_device(o.device);
    CLIP_TRY(device);
    CLIP_TRY(m->set_device(*device));
    model.emplace(std::move(*m));
    return &*model;
  };
  clip::Result<EmbeddedQuery> q = clip::make_error("");
  if (o.has_query) {
    q = embed_query_expression(o.query, searched, load_model, o.lang);
  } else {
    auto term = single_term(o);
    if (!term.ok()) return fail("search", term.message());
    q = embed_query_terms({*term}, searched, load_model, o.lang, !o.image.empty());
  }
  if (!q.ok()) return fail("search", q.message());

  clip::IndexQuery iq = index_query(o);
  iq.min_score = -1.0f;  // the verdict is on the best result, whether or not --min-score keeps it
  if (o.exclude_self)
    for (const auto& t : q->terms)
      if (t.term.weight > 0 && !t.indexed_id.empty()) {
        iq.exclude_id = t.indexed_id;
        break;
      }
  auto found = searched.search(q->vector.data(), q->vector.size(), iq);
  if (!found.ok()) return fail("search", found.message());
  std::vector<clip::Hit> hits;
  for (const auto& h : *found)
    if (h.score >= o.min_score) hits.push_back(h);

  const clip::Searcher& searcher = searched.searcher();
  const clip::ScoreSample sample = clip::sample_index_rows(searcher);
  auto band = unrelated_lifts(*q, searcher, sample, load_model);
  if (!band.ok()) return fail("search", "match calibration: " + band.message());
  clip::MatchVerdict verdict;
  if (!found->empty())
    verdict = clip::judge_match(*band, found->front().score, q->vector.data(), q->vector.size(), sample);
  std::vector<std::string> positive_texts;
  for (const auto& t : q->terms)
    if (t.source == TermSource::kText && t.term.weight > 0) positive_texts.push_back(t.term.text);
  if (!positive_texts.empty()) {
    auto m = load_model();
    if (!m.ok()) return fail("search", m.message());
    clip::apply_unknown_words(verdict, unknown_words(**m, positive_texts));
  }
  std::fprintf(stderr, "match %s: %s\n", clip::match_level_name(verdict.level),
               clip::describe_match(verdict, index.manifest().model_name).c_str());

  if (!o.json && !o.json_full) {
    print_table(searched, hits);
    return 0;
  }
  const char* match = clip::match_level_name(verdict.level);
  if (!o.json_full) {
    print_json(hits_json(searched, hits, match));
    return 0;
  }
  nlohmann::ordered_json terms = nlohmann::ordered_json::array();
  for (const auto& t : q->terms) {
    nlohmann::ordered_json j = {{"text", t.term.text}, {"weight", t.term.weight}, {"kind", term_source_name(t.source)}};
    if (!t.indexed_id.empty()) j["indexed_id"] = t.indexed_id;
    terms.push_back(std::move(j));
  }
  print_json({{"query", o.has_query ? o.query : q->terms.front().term.text},
              {"terms", terms},
              {"match", match},
              {"match_percentile", verdict.percentile},
              {"lift", verdict.lift},
              {"unrelated_queries", verdict.unrelated},
              {"unknown_words", verdict.unknown_words},
              {"results", hits_json(searched, hits, match)}});
  return 0;
}

int run(const Options& o) {
  auto index = load_index(o.index);
  if (!index.ok()) return fail("search", index.message());
  if (index->index.searchable_count() == 0) return fail("search", o.index + ": the index is empty");
  return run_query(o, *index);
}

CommandRegistrar reg("search", "Search an index by --text, --image, --id or a --query expression", [](CLI::App& sub) {
  auto o = std::make_shared<Options>();
  sub.add_option("--index", o->index, "Index folder")->required();
  auto* text = sub.add_option("--text", o->text, "Text query");
  auto* image = sub.add_option("--image", o->image, "Image file query");
  auto* id = sub.add_option("--id", o->id, "Id of an indexed image: search with its stored vector (no model run)");
  auto* query = sub.add_option("--query", o->query,
                               "Expression: terms joined by + and -, each optionally weighted (2:term); a term naming "
                               "an image file, an http(s) URL or similar:ID is an image (docs/CLI.md)");
  text->excludes(image)->excludes(id)->excludes(query);
  image->excludes(id)->excludes(query);
  id->excludes(query);
  sub.add_option("-k,--top-k", o->k, "Number of results")->capture_default_str()->check(CLI::Range(1, 100000));
  sub.add_option("--min-score", o->min_score, "Drop results below this cosine similarity")->capture_default_str();
  sub.add_flag("--json", o->json,
               "Print a JSON list of {id, score, caption, source, thumb, match}; match is the result set's "
               "verdict: close, weak or none");
  sub.add_flag("--json-full", o->json_full,
               "Print one JSON object: query, terms, match, match_percentile, lift, unrelated_queries, "
               "unknown_words, results");
  sub.add_option("--first-pass", o->first_pass,
                 "Candidates by int8 scan or sign bits, then exact rescoring; auto: sign bits from " +
                     clip::group_thousands(clip::kBinaryPassMinVectors) + " images up")
      ->check(CLI::IsMember({"auto", "int8", "binary"}))
      ->capture_default_str();
  sub.add_flag_callback("--binary", [o] { o->first_pass = "binary"; }, "Same as --first-pass binary");
  sub.add_flag("--exclude-self", o->exclude_self,
               "Leave out the query itself: the --id, or the indexed file with the same bytes as --image");
  sub.add_option("--model", o->model, "Model folder (default: the one the index names)");
  add_device_option(sub, o->device, "cpu");
  add_lang_option(sub, o->lang);
  return [o, text, image, id, query] {
    if (text->count() + image->count() + id->count() + query->count() != 1)
      return fail("search", "give one of --text, --image, --id, --query");
    o->has_query = query->count() == 1;
    return run(*o);
  };
});

}  // namespace
}  // namespace clipsearch
