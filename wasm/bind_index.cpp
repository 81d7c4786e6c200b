// Index: a core clip::Index (manifest + shards), which makes every check and
// decision, with its match calibration and near-duplicate groups; the
// bindings only convert hits, records, spans and lookups to JS objects. Whole shards are searched in one call (search); shard heads in
// steps, with the rows fetched between them (plan ... finish).
#include <emscripten/bind.h>

#include <array>
#include <memory>

#include "core/index/index.h"
#include "core/query/match_calibration.h"
#include "core/search/duplicates.h"
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

// A part of a shard file: which shard (in addShard order), which row, where.
val span_to_js(uint32_t shard, uint32_t row, const clip::FileSpan& span) {
  val o = val::object();
  o.set("shard", shard);
  o.set("row", row);
  o.set("offset", double(span.offset));
  o.set("length", double(span.length));
  return o;
}

clip::IndexQuery query_from_js(const val& js) {
  clip::IndexQuery q;
  if (js.isUndefined() || js.isNull()) return q;
  if (!js["k"].isUndefined()) q.k = count_from_js(js["k"]);
  if (!js["minScore"].isUndefined()) q.min_score = js["minScore"].as<float>();
  if (!js["oversample"].isUndefined()) q.oversample = count_from_js(js["oversample"]);
  read_string(js, "excludeId", &q.exclude_id);
  const val at = js["excludeAt"];
  if (!at.isUndefined() && !at.isNull()) q.exclude_at = clip::RowRef{uint32_t(count_from_js(at["shard"])), uint32_t(count_from_js(at["row"]))};
  std::string pass;
  if (read_string(js, "firstPass", &pass))
    q.first_pass = pass == "binary" ? clip::FirstPass::kBinary : pass == "int8" ? clip::FirstPass::kInt8 : clip::FirstPass::kAuto;
  if (!js["binary"].isUndefined() && js["binary"].as<bool>()) q.first_pass = clip::FirstPass::kBinary;
  return q;
}

val lookup_to_js(const clip::Index& index, const clip::Lookup& l) {
  val o = val::object();
  o.set("found", l.found);
  if (l.found) {
    o.set("shard", l.at.shard);
    o.set("row", l.at.row);
  }
  val keys = val::array();
  for (uint32_t s : l.need_keys) keys.call<void>("push", span_to_js(s, 0, index.keys_span(s)));
  o.set("needKeys", keys);
  val records = val::array();
  for (const clip::RowRef& at : l.need_records)
    records.call<void>("push", span_to_js(at.shard, at.row, index.record_span(at)));
  o.set("needRecords", records);
  return o;
}

// A search between its passes (clip::SearchPlan); opaque to JS.
class SearchPlan {
 public:
  explicit SearchPlan(clip::SearchPlan p) : plan(std::move(p)) {}
  clip::SearchPlan plan;
};

class Index {
 public:
  explicit Index(clip::Index index) : index_(std::move(index)) {}

  static val from_manifest(const std::string& text) {
    clip::Result<clip::Index> index = clip::Index::from_manifest_json(text);
    if (!index) return js_error(index.message());
    return val(Index(std::move(index).value()));
  }

  val manifest() const { return index_manifest_to_js(index_.manifest()); }

  // tiers: 'auto' (the core's threshold), 'on' (heads whenever possible), 'off'.
  val loading_plan(bool byte_ranges, double memory_budget, const std::string& tiers) const {
    clip::LoadingPlan p = index_.loading_plan(byte_ranges && tiers != "off", uint64_t(std::max(0.0, memory_budget)),
                                              tiers == "on");
    val o = val::object();
    o.set("tiered", p.tiered);
    o.set("downloadBytes", double(p.download_bytes));
    o.set("memoryBytes", double(p.memory_bytes));
    o.set("fits", p.fits);
    o.set("canTier", p.can_tier);
    o.set("rangeWouldFit", p.range_would_fit);
    o.set("tieredMemoryBytes", double(p.tiered_memory_bytes));
    return o;
  }

  // The one copy into wasm memory becomes the shard's own storage.
  val add_shard(uint32_t entry, const val& bytes, const std::string& sha256_hex) {
    clip::Status st = index_.add_shard(entry, bytes_from_js(bytes), sha256_hex);
    if (!st) return js_error(st.message());
    return val(index_.manifest().shards[entry].count);
  }

  val add_shard_head(uint32_t entry, const val& head, const std::string& sha256_hex) {
    clip::Status st = index_.add_shard_head(entry, bytes_from_js(head), sha256_hex);
    if (!st) return js_error(st.message());
    return val(index_.manifest().shards[entry].count);
  }

  // Accepted shard i (a head) completed by its whole file; true, or a ClipError.
  val complete_shard(uint32_t i, const val& bytes, const std::string& sha256_hex) {
    clip::Status st = index_.complete_shard(i, bytes_from_js(bytes), sha256_hex);
    if (!st) return js_error(st.message());
    return val(true);
  }

  void refuse_shard(uint32_t entry, const std::string& reason) { (void)index_.refuse_shard(entry, reason); }

  val refusals() const {
    val out = val::array();
    for (const clip::ShardRefusal& r : index_.refusals()) {
      val o = val::object();
      o.set("entry", double(r.entry));
      o.set("file", r.file);
      o.set("count", r.count);
      o.set("reason", r.reason);
      out.call<void>("push", o);
    }
    return out;
  }

  // Whole shards: the search in one call.
  val search(const val& query, const val& options) {
    std::vector<float> q = floats_from_js(query);
    clip::Result<std::vector<clip::Hit>> hits = index_.search(q.data(), q.size(), query_from_js(options));
    if (!hits) return js_error(hits.message());
    return hits_to_js(*hits);
  }
  val search_default(const val& query) { return search(query, val::undefined()); }

  // In steps, for shard heads (docs/WASM_API.md).
  val plan(const val& query, const val& options) {
    std::vector<float> q = floats_from_js(query);
    clip::Result<clip::SearchPlan> p = index_.plan(q.data(), q.size(), query_from_js(options));
    if (!p) return js_error(p.message());
    return val(SearchPlan(std::move(p).value()));
  }

  val missing_vectors(const SearchPlan& p) const {
    val out = val::array();
    for (const clip::RowRef& at : index_.missing_vectors(p.plan))
      out.call<void>("push", span_to_js(at.shard, at.row, index_.vector_span(at)));
    return out;
  }

  val add_vector(uint32_t shard, uint32_t row, const val& bytes) {
    const std::vector<uint8_t> b = bytes_from_js(bytes);
    clip::Status st = index_.add_vector(clip::RowRef{shard, row}, clip::ByteView(b.data(), b.size()));
    if (!st) return js_error(st.message());
    return val(true);
  }

  // {hits: [{shard, row, score}], unscored}
  val finish(const SearchPlan& p) {
    size_t unscored = 0;
    const std::vector<clip::Hit> hits = index_.finish(p.plan, &unscored);
    val o = val::object();
    o.set("hits", hits_to_js(hits));
    o.set("unscored", double(unscored));
    return o;
  }

  val missing_records(const val& hits) const {
    std::vector<clip::Hit> hs;
    const size_t n = hits["length"].as<size_t>();
    for (size_t i = 0; i < n; ++i)
      hs.push_back(clip::Hit{uint32_t(count_from_js(hits[i]["shard"])), uint32_t(count_from_js(hits[i]["row"])), 0});
    val out = val::array();
    for (const clip::RowRef& at : index_.missing_records(hs))
      out.call<void>("push", span_to_js(at.shard, at.row, index_.record_span(at)));
    return out;
  }

  val add_record(uint32_t shard, uint32_t row, const val& bytes) {
    const std::vector<uint8_t> b = bytes_from_js(bytes);
    clip::Status st = index_.add_record(clip::RowRef{shard, row}, clip::ByteView(b.data(), b.size()));
    if (!st) return js_error(st.message());
    return val(true);
  }

  // The record of a row, or null when a head's record is not at hand.
  val record(uint32_t shard, uint32_t row) {
    const clip::ImageRecord* r = index_.record_at(clip::RowRef{shard, row});
    return r ? record_to_js(*r) : val::null();
  }

  val add_keys(uint32_t shard, const val& bytes) {
    const std::vector<uint8_t> b = bytes_from_js(bytes);
    clip::Status st = index_.add_keys(shard, clip::ByteView(b.data(), b.size()));
    if (!st) return js_error(st.message());
    return val(true);
  }

  val locate_id(const std::string& id) { return lookup_to_js(index_, index_.locate_id(id)); }

  val locate_content(const std::string& hex) {
    std::array<uint8_t, 32> sha{};
    if (!clip::sha256_from_hex(hex, &sha)) return js_error("locateContent: \"" + hex.substr(0, 80) + "\" is not 64 hex digits");
    return lookup_to_js(index_, index_.locate_content(sha));
  }

  val vector_span(uint32_t shard, uint32_t row) const {
    return span_to_js(shard, row, index_.vector_span(clip::RowRef{shard, row}));
  }
  bool has_vector(uint32_t shard, uint32_t row) const { return index_.has_vector(clip::RowRef{shard, row}); }

  val embedding_at(uint32_t shard, uint32_t row) {
    auto e = index_.embedding_at(clip::RowRef{shard, row});
    if (!e) return js_error(e.message());
    return copy_to_js(*e);
  }

  // Lookups over whole shards: null when nothing matches (not an error).
  val embedding(const std::string& id) const {
    auto e = index_.embedding(id);
    return e ? copy_to_js(*e) : val::null();
  }

  val find_by_sha256(const std::string& hex) const {
    std::array<uint8_t, 32> sha{};
    if (!clip::sha256_from_hex(hex, &sha)) return js_error("findBySha256: \"" + hex.substr(0, 80) + "\" is not 64 hex digits");
    std::string id = index_.find_content(sha);
    return id.empty() ? val::null() : val(id);
  }

  double size() const { return double(index_.searchable_count()); }
  uint32_t dim() const { return index_.manifest().dim; }
  std::string fingerprint() const { return index_.manifest().model_fingerprint; }
  uint32_t shard_count() const { return uint32_t(index_.accepted_shards()); }
  uint32_t settled_shards() const { return uint32_t(index_.settled_shards()); }
  std::string damage_report() const { return index_.damage_report(); }
  // The noise band of unrelated queries for this index (match_calibration.h):
  // captionEmbeddings = calibrationCaptions() embedded by the model, or
  // null/undefined to calibrate image queries only. Run again when shards
  // were added since: a verdict needs the index it was calibrated on.
  val calibrate_matches(const val& caption_embeddings) {
    const clip::Searcher& searcher = index_.searcher();
    calibration_ = Calibration{};
    if (searcher.size() == 0) return js_error("calibrateMatches: no shards loaded");
    calibration_.sample = clip::sample_index_rows(searcher);
    if (!caption_embeddings.isUndefined() && !caption_embeddings.isNull()) {
      auto text = clip::unrelated_text_lifts(searcher, calibration_.sample, floats_from_js(caption_embeddings));
      if (!text) return js_error(text.message());
      calibration_.text = std::move(*text);
      calibration_.has_text = true;
    }
    auto image = clip::unrelated_image_lifts(searcher, calibration_.sample);
    if (!image) return js_error(image.message());
    calibration_.image = std::move(*image);
    calibration_.rows = searcher.size();
    val o = val::object();
    o.set("textQueries", calibration_.text.size());
    o.set("imageQueries", calibration_.image.size());
    return o;
  }

  // { level: 'close'|'weak'|'none', percentile, lift, unrelated, unknownWords }
  // for a result set whose best score is topScore; null when the index is not
  // calibrated as it is now (for this kind of query).
  val judge_match(const val& query, float top_score, bool image_modality, const val& unknown_words) const {
    const clip::Searcher& searcher = index_.searcher();
    if (calibration_.rows != searcher.size() || (!image_modality && !calibration_.has_text)) return val::null();
    std::vector<float> q = floats_from_js(query);
    if (q.size() != searcher.dim()) return js_error("judgeMatch: query has dim " + std::to_string(q.size()) +
                                                        " but the index has dim " + std::to_string(searcher.dim()));
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
    if (!(begin >= 0) || !(end >= begin) || end > double(searcher().size()))
      return js_error("nearDuplicatePairs: rows " + std::to_string(begin) + " to " + std::to_string(end) +
                      " are not within the index's " + std::to_string(searcher().size()));
    auto pairs = clip::near_duplicate_pairs(searcher(), size_t(begin), size_t(end), threshold);
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
    if (clip::Status whole = clip::require_whole_shards(searcher()); !whole) return js_error(whole.message());
    const std::vector<uint32_t> rows = uint32s_from_js(rows_js);
    const std::vector<float> scores = floats_from_js(scores_js);
    if (rows.size() != 4 * scores.size())
      return js_error("duplicateGroups: " + std::to_string(rows.size()) + " row numbers for " +
                      std::to_string(scores.size()) + " scores (4 per pair)");
    std::vector<clip::NearPair> pairs;
    for (size_t i = 0; i < scores.size(); ++i) {
      const uint32_t* r = rows.data() + 4 * i;
      for (int side = 0; side < 2; ++side)
        if (r[2 * side] >= searcher().shard_count() || r[2 * side + 1] >= searcher().shard(r[2 * side]).count())
          return js_error("duplicateGroups: pair " + std::to_string(i) + " names a row this index does not have");
      pairs.push_back({{r[0], r[1]}, {r[2], r[3]}, scores[i]});
    }
    val out = val::array();
    for (const clip::DuplicateGroup& g : clip::group_duplicates(searcher(), pairs)) {
      val group = val::object();
      group.set("keeper", searcher().shard(g.keeper.shard).record(g.keeper.row).id);
      val members = val::array();
      for (const clip::DuplicateMember& m : g.members) {
        val o = record_to_js(searcher().shard(m.at.shard).record(m.at.row));
        o.set("score", m.score);
        members.call<void>("push", o);
      }
      group.set("members", members);
      out.call<void>("push", group);
    }
    return out;
  }

  // The manifest entry of accepted shard i (the file to fetch its rows from).
  uint32_t shard_entry(uint32_t i) const { return i < index_.accepted_shards() ? uint32_t(index_.shard_entry(i)) : 0; }
  bool shard_whole(uint32_t i) const { return i < index_.accepted_shards() && index_.shard(i).whole(); }
  bool all_whole() const { return index_.all_whole(); }

 private:
  const clip::Searcher& searcher() const { return index_.searcher(); }

  val hits_to_js(const std::vector<clip::Hit>& hits) {
    val out = val::array();
    for (const clip::Hit& h : hits) {
      const clip::ImageRecord* r = index_.record_at(clip::RowRef{h.shard, h.row});
      val o = r ? record_to_js(*r) : val::object();
      o.set("score", h.score);
      o.set("shard", h.shard);
      o.set("row", h.row);
      out.call<void>("push", o);
    }
    return out;
  }

  struct Calibration {
    clip::ScoreSample sample;
    std::vector<float> text, image;
    bool has_text = false;
    size_t rows = 0;  // index size it was computed for; 0 = none
  };
  clip::Index index_;
  Calibration calibration_;
};

}  // namespace

EMSCRIPTEN_BINDINGS(clipsearch_index) {
  using namespace emscripten;
  constant("defaultDuplicateThreshold", clip::kDefaultDuplicateThreshold);
  class_<SearchPlan>("SearchPlan");
  class_<Index>("Index")
      .class_function("fromManifest", &Index::from_manifest)
      .function("loadingPlan", &Index::loading_plan)
      .function("addShard", &Index::add_shard)
      .function("addShardHead", &Index::add_shard_head)
      .function("refuseShard", &Index::refuse_shard)
      .function("completeShard", &Index::complete_shard)
      .function("search", &Index::search)
      .function("search", &Index::search_default)
      .function("plan", &Index::plan)
      .function("missingVectors", &Index::missing_vectors)
      .function("addVector", &Index::add_vector)
      .function("finish", &Index::finish)
      .function("missingRecords", &Index::missing_records)
      .function("addRecord", &Index::add_record)
      .function("record", &Index::record)
      .function("addKeys", &Index::add_keys)
      .function("locateId", &Index::locate_id)
      .function("locateContent", &Index::locate_content)
      .function("vectorSpan", &Index::vector_span)
      .function("hasVector", &Index::has_vector)
      .function("embeddingAt", &Index::embedding_at)
      .function("embedding", &Index::embedding)
      .function("findBySha256", &Index::find_by_sha256)
      .function("calibrateMatches", &Index::calibrate_matches)
      .function("judgeMatch", &Index::judge_match)
      .function("nearDuplicatePairs", &Index::near_duplicate_pairs)
      .function("duplicateGroups", &Index::duplicate_groups)
      .function("shardEntry", &Index::shard_entry)
      .function("shardWhole", &Index::shard_whole)
      .property("manifest", &Index::manifest)
      .property("refusals", &Index::refusals)
      .property("damageReport", &Index::damage_report)
      .property("size", &Index::size)
      .property("dim", &Index::dim)
      .property("fingerprint", &Index::fingerprint)
      .property("shardCount", &Index::shard_count)
      .property("settledShards", &Index::settled_shards)
      .property("allWhole", &Index::all_whole);
}

}  // namespace clipwasm
