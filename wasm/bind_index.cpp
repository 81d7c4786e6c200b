// Index: shards loaded one by one, then searched, and its near-duplicate
// groups. Wraps clip::Searcher; the bindings only convert hits, records and
// groups to JS objects.
#include <emscripten/bind.h>

#include <array>
#include <memory>

#include "core/index/shard.h"
#include "core/query/match_calibration.h"
#include "core/search/duplicates.h"
#include "core/search/search.h"
#include "core/util/sha256.h"
#include "wasm/js_convert.h"

namespace clipwasm {
namespace {

val record_to_js(const clip::ImageRecord& r) {
  val o = val::object();
  o.set("id", r.id);
  o.set("caption", r.caption);
  o.set("source", r.source);
  o.set("thumb", r.thumb);
  o.set("width", r.width);
  o.set("height", r.height);
  o.set("sha256", clip::to_hex(r.content_sha256));
  return o;
}

clip::SearchOptions search_options_from_js(const val& js) {
  clip::SearchOptions opts;
  if (js.isUndefined() || js.isNull()) return opts;
  if (!js["k"].isUndefined()) opts.k = count_from_js(js["k"]);
  if (!js["minScore"].isUndefined()) opts.min_score = js["minScore"].as<float>();
  if (!js["binary"].isUndefined()) opts.binary_first_pass = js["binary"].as<bool>();
  if (!js["oversample"].isUndefined()) opts.oversample = count_from_js(js["oversample"]);
  read_string(js, "excludeId", &opts.exclude_id);
  return opts;
}

class Index {
 public:
  val add_shard(const val& bytes, const std::string& name) {
    // The one copy into wasm memory becomes the shard's own storage.
    clip::Result<clip::Shard> shard = clip::Shard::parse(bytes_from_js(bytes), name);
    if (!shard) return js_error(shard.message());
    uint32_t count = shard->count();
    clip::Status added = searcher_.add_shard(std::make_shared<const clip::Shard>(std::move(shard).value()));
    if (!added) return js_error(added.message());
    return val(count);
  }

  val search(const val& query, const val& options) const {
    std::vector<float> q = floats_from_js(query);
    clip::Result<std::vector<clip::Hit>> hits = searcher_.search(q.data(), q.size(), search_options_from_js(options));
    if (!hits) return js_error(hits.message());
    val out = val::array();
    for (const clip::Hit& h : *hits) {
      val o = record_to_js(searcher_.shard(h.shard).record(h.row));
      o.set("score", h.score);
      o.set("shard", h.shard);
      o.set("row", h.row);
      out.call<void>("push", o);
    }
    return out;
  }

  val search_default(const val& query) const { return search(query, val::undefined()); }

  // Lookups: null when nothing matches (not an error).
  val embedding(const std::string& id) const {
    uint32_t shard = 0, row = 0;
    if (!searcher_.find_id(id, &shard, &row)) return val::null();
    return copy_to_js(searcher_.shard(shard).embedding(row));
  }

  val find_by_sha256(const std::string& hex) const {
    std::array<uint8_t, 32> sha{};
    if (!clip::sha256_from_hex(hex, &sha)) return js_error("findBySha256: \"" + hex.substr(0, 80) + "\" is not 64 hex digits");
    std::string id = searcher_.find_content(sha);
    return id.empty() ? val::null() : val(id);
  }

  // The noise band of unrelated queries for this index (match_calibration.h):
  // captionEmbeddings = calibrationCaptions() embedded by the model, or
  // null/undefined to calibrate image queries only. Run again when shards
  // were added since: a verdict needs the index it was calibrated on.
  val calibrate_matches(const val& caption_embeddings) {
    calibration_ = Calibration{};
    if (searcher_.size() == 0) return js_error("calibrateMatches: no shards loaded");
    calibration_.sample = clip::sample_index_rows(searcher_);
    if (!caption_embeddings.isUndefined() && !caption_embeddings.isNull()) {
      auto text = clip::unrelated_text_lifts(searcher_, calibration_.sample, floats_from_js(caption_embeddings));
      if (!text) return js_error(text.message());
      calibration_.text = std::move(*text);
      calibration_.has_text = true;
    }
    auto image = clip::unrelated_image_lifts(searcher_, calibration_.sample);
    if (!image) return js_error(image.message());
    calibration_.image = std::move(*image);
    calibration_.rows = searcher_.size();
    val o = val::object();
    o.set("textQueries", calibration_.text.size());
    o.set("imageQueries", calibration_.image.size());
    return o;
  }

  // { level: 'close'|'weak'|'none', percentile, lift, unrelated, unknownWords }
  // for a result set whose best score is topScore; null when the index is not
  // calibrated as it is now (for this kind of query).
  val judge_match(const val& query, float top_score, bool image_modality, const val& unknown_words) const {
    if (calibration_.rows != searcher_.size() || (!image_modality && !calibration_.has_text)) return val::null();
    std::vector<float> q = floats_from_js(query);
    if (q.size() != searcher_.dim()) return js_error("judgeMatch: query has dim " + std::to_string(q.size()) +
                                                         " but the index has dim " + std::to_string(searcher_.dim()));
    clip::MatchVerdict v = clip::judge_match(image_modality ? calibration_.image : calibration_.text, top_score,
                                             q.data(), q.size(), calibration_.sample);
    std::vector<std::string> unknown;
    if (!unknown_words.isUndefined() && !unknown_words.isNull())
      for (size_t i = 0, n = unknown_words["length"].as<size_t>(); i < n; ++i)
        unknown.push_back(unknown_words[i].as<std::string>());
    clip::apply_unknown_words(v, std::move(unknown));
    val o = val::object();
    o.set("level", std::string(clip::match_level_name(v.level)));
    o.set("percentile", v.percentile);
    o.set("lift", v.lift);
    o.set("unrelated", v.unrelated);
    val words = val::array();
    for (const auto& w : v.unknown_words) words.call<void>("push", w);
    o.set("unknownWords", words);
    return o;
  }

  // Near-duplicates (core/search/duplicates.h), in ranges so the worker
  // can report progress: rows [begin, end) against the whole index, as
  // {rows: Uint32Array [aShard, aRow, bShard, bRow, ...], scores: Float32Array}.
  val near_duplicate_pairs(double begin, double end, float threshold) const {
    if (!(begin >= 0) || !(end >= begin) || end > double(searcher_.size()))
      return js_error("nearDuplicatePairs: rows " + std::to_string(begin) + " to " + std::to_string(end) +
                      " are not within the index's " + std::to_string(searcher_.size()));
    auto pairs = clip::near_duplicate_pairs(searcher_, size_t(begin), size_t(end), threshold);
    if (!pairs) return js_error(pairs.message());
    std::vector<uint32_t> rows;
    std::vector<float> scores;
    for (const clip::NearPair& p : *pairs) {
      rows.insert(rows.end(), {p.a.shard, p.a.row, p.b.shard, p.b.row});
      scores.push_back(p.score);
    }
    val out = val::object();
    out.set("rows", copy_to_js(rows));
    out.set("scores", copy_to_js(scores));
    return out;
  }

  // The groups of the pairs every range gave: [{keeper: id, members: [{...record, score}]}].
  val duplicate_groups(const val& rows_js, const val& scores_js) const {
    const std::vector<uint32_t> rows = uint32s_from_js(rows_js);
    const std::vector<float> scores = floats_from_js(scores_js);
    if (rows.size() != 4 * scores.size())
      return js_error("duplicateGroups: " + std::to_string(rows.size()) + " row numbers for " +
                      std::to_string(scores.size()) + " scores (4 per pair)");
    std::vector<clip::NearPair> pairs;
    for (size_t i = 0; i < scores.size(); ++i) {
      const uint32_t* r = rows.data() + 4 * i;
      for (int side = 0; side < 2; ++side)
        if (r[2 * side] >= searcher_.shard_count() || r[2 * side + 1] >= searcher_.shard(r[2 * side]).count())
          return js_error("duplicateGroups: pair " + std::to_string(i) + " names a row this index does not have");
      pairs.push_back({{r[0], r[1]}, {r[2], r[3]}, scores[i]});
    }
    val out = val::array();
    for (const clip::DuplicateGroup& g : clip::group_duplicates(searcher_, pairs)) {
      val group = val::object();
      group.set("keeper", searcher_.shard(g.keeper.shard).record(g.keeper.row).id);
      val members = val::array();
      for (const clip::DuplicateMember& m : g.members) {
        val o = record_to_js(searcher_.shard(m.at.shard).record(m.at.row));
        o.set("score", m.score);
        members.call<void>("push", o);
      }
      group.set("members", members);
      out.call<void>("push", group);
    }
    return out;
  }

  double size() const { return double(searcher_.size()); }
  uint32_t dim() const { return searcher_.dim(); }
  std::string fingerprint() const { return searcher_.model_fingerprint(); }
  uint32_t shard_count() const { return uint32_t(searcher_.shard_count()); }

 private:
  struct Calibration {
    clip::ScoreSample sample;
    std::vector<float> text, image;
    bool has_text = false;
    size_t rows = 0;  // index size it was computed for; 0 = none
  };
  clip::Searcher searcher_;
  Calibration calibration_;
};

}  // namespace

EMSCRIPTEN_BINDINGS(clipsearch_index) {
  using namespace emscripten;
  constant("defaultDuplicateThreshold", clip::kDefaultDuplicateThreshold);
  class_<Index>("Index")
      .constructor<>()
      .function("addShard", &Index::add_shard)
      .function("search", &Index::search)
      .function("search", &Index::search_default)
      .function("embedding", &Index::embedding)
      .function("findBySha256", &Index::find_by_sha256)
      .function("calibrateMatches", &Index::calibrate_matches)
      .function("judgeMatch", &Index::judge_match)
      .function("nearDuplicatePairs", &Index::near_duplicate_pairs)
      .function("duplicateGroups", &Index::duplicate_groups)
      .property("size", &Index::size)
      .property("dim", &Index::dim)
      .property("fingerprint", &Index::fingerprint)
      .property("shardCount", &Index::shard_count);
}

}  // namespace clipwasm
