#include "core/query/match_calibration.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace clip {
namespace {

// Evenly spaced positions 0..total-1, at most `n` of them.
std::vector<size_t> spread(size_t total, size_t n) {
  std::vector<size_t> out;
  if (total == 0 || n == 0) return out;
  if (total <= n) {
    for (size_t i = 0; i < total; ++i) out.push_back(i);
    return out;
  }
  for (size_t i = 0; i < n; ++i) out.push_back(size_t((double(i) + 0.5) * double(total) / double(n)));
  return out;
}

// Rows whose vectors and records are in memory: those of whole shards (a
// version-2 head holds neither until its rows are fetched).
size_t whole_rows(const Searcher& s) {
  size_t n = 0;
  for (uint32_t k = 0; k < s.shard_count(); ++k)
    if (s.shard(k).whole()) n += s.shard(k).count();
  return n;
}

// (shard, row) of the i-th row of the whole shards, in shard order.
bool locate(const Searcher& s, size_t i, uint32_t* shard, uint32_t* row) {
  for (uint32_t k = 0; k < s.shard_count(); ++k) {
    if (!s.shard(k).whole()) continue;
    const size_t n = s.shard(k).count();
    if (i < n) {
      *shard = k, *row = uint32_t(i);
      return true;
    }
    i -= n;
  }
  return false;
}

float share_below(const std::vector<float>& sorted, float value) {
  if (sorted.empty()) return 0;
  return float(std::lower_bound(sorted.begin(), sorted.end(), value) - sorted.begin()) / float(sorted.size());
}

Result<float> top_lift(const Searcher& searcher, const ScoreSample& sample, const float* query,
                       const std::string& exclude_id) {
  SearchOptions opts;
  opts.k = 1;
  opts.exclude_id = exclude_id;
  auto hits = searcher.search(query, searcher.dim(), opts);
  CLIP_TRY(hits);
  if (hits->empty()) return make_error("calibration: no result to compare");
  return score_lift(hits->front().score, query, searcher.dim(), sample);
}

}  // namespace

const char* match_level_name(MatchLevel level) {
  switch (level) {
    case MatchLevel::kClose: return "close";
    case MatchLevel::kWeak: return "weak";
    case MatchLevel::kNone: return "none";
  }
  return "none";
}

ScoreSample sample_index_rows(const Searcher& searcher, size_t max_rows) {
  ScoreSample sample;
  sample.dim = searcher.dim();
  for (size_t i : spread(whole_rows(searcher), max_rows)) {
    uint32_t shard = 0, row = 0;
    if (!locate(searcher, i, &shard, &row)) break;
    const std::vector<float> v = searcher.shard(shard).embedding(row);
    sample.vectors.insert(sample.vectors.end(), v.begin(), v.end());
  }
  return sample;
}

float score_lift(float top_score, const float* query, size_t dim, const ScoreSample& sample) {
  const size_t n = sample.rows();
  if (n == 0 || dim != sample.dim) return top_score;
  double norm2 = 0;
  for (size_t d = 0; d < dim; ++d) norm2 += double(query[d]) * double(query[d]);
  const double inv = norm2 > 0 ? 1.0 / std::sqrt(norm2) : 0.0;
  std::vector<float> scores(n);
  for (size_t r = 0; r < n; ++r) {
    const float* v = sample.vectors.data() + r * dim;
    double dot = 0;
    for (size_t d = 0; d < dim; ++d) dot += double(query[d]) * double(v[d]);
    scores[r] = float(dot * inv);
  }
  // The lower median, so the value is one of the scores (no averaging).
  std::nth_element(scores.begin(), scores.begin() + long((n - 1) / 2), scores.end());
  return top_score - scores[(n - 1) / 2];
}

Result<std::vector<float>> unrelated_text_lifts(const Searcher& searcher, const ScoreSample& sample,
                                                const std::vector<float>& caption_embeddings) {
  const size_t dim = searcher.dim();
  const size_t captions = calibration_captions().size();
  if (searcher.size() == 0) return make_error("calibration: the index is empty");
  if (caption_embeddings.size() != captions * dim)
    return make_error("calibration: " + std::to_string(caption_embeddings.size()) + " caption values, expected " +
                      std::to_string(captions) + " captions x " + std::to_string(dim));
  std::vector<float> lifts;
  for (size_t c = 0; c < captions; ++c) {
    auto lift = top_lift(searcher, sample, caption_embeddings.data() + c * dim, "");
    if (!lift.ok()) return make_error("calibration caption " + std::to_string(c + 1) + ": " + lift.message());
    lifts.push_back(*lift);
  }
  std::sort(lifts.begin(), lifts.end());
  return lifts;
}

Result<std::vector<float>> unrelated_image_lifts(const Searcher& searcher, const ScoreSample& sample) {
  // Unrelated to each other is what most pairs of a collection are; the
  // image's own copy is excluded, near duplicates are not.
  std::vector<float> lifts;
  if (searcher.size() < 2) return lifts;
  for (size_t i : spread(whole_rows(searcher), kImageCalibrationQueries)) {
    uint32_t shard = 0, row = 0;
    if (!locate(searcher, i, &shard, &row)) break;
    const std::vector<float> v = searcher.shard(shard).embedding(row);
    auto lift = top_lift(searcher, sample, v.data(), searcher.shard(shard).record(row).id);
    if (!lift.ok()) return make_error("calibration image row " + std::to_string(i) + ": " + lift.message());
    lifts.push_back(*lift);
  }
  std::sort(lifts.begin(), lifts.end());
  return lifts;
}

MatchVerdict judge_match(const std::vector<float>& null, float top_score, const float* query, size_t dim,
                         const ScoreSample& sample) {
  MatchVerdict v;
  v.lift = score_lift(top_score, query, dim, sample);
  v.unrelated = null.size();
  v.percentile = share_below(null, v.lift);
  if (null.empty()) v.level = MatchLevel::kWeak;  // nothing to compare with: say neither
  else if (v.percentile >= kClosePercentile) v.level = MatchLevel::kClose;
  else if (v.percentile >= kWeakPercentile) v.level = MatchLevel::kWeak;
  else v.level = MatchLevel::kNone;
  return v;
}

void apply_unknown_words(MatchVerdict& verdict, std::vector<std::string> unknown_in_positive_terms) {
  if (unknown_in_positive_terms.empty()) return;
  verdict.level = MatchLevel::kNone;
  verdict.unknown_words = std::move(unknown_in_positive_terms);
}

std::string describe_match(const MatchVerdict& v, const std::string& model_name) {
  std::string out;
  switch (v.level) {
    case MatchLevel::kClose: out = "close match"; break;
    case MatchLevel::kWeak: out = "weak match"; break;
    case MatchLevel::kNone: out = "no close match, showing the nearest"; break;
  }
  char buf[160];
  if (v.unrelated == 0) {
    out += " (no unrelated queries to compare with)";
  } else {
    if (v.percentile >= 1.0f)
      std::snprintf(buf, sizeof buf, " (the best result stands out more than all %zu unrelated queries do)", v.unrelated);
    else if (v.percentile <= 0.0f)
      std::snprintf(buf, sizeof buf, " (the best result stands out less than any of %zu unrelated queries does)",
                    v.unrelated);
    else
      std::snprintf(buf, sizeof buf, " (the best result stands out more than %.0f%% of %zu unrelated queries do)",
                    double(v.percentile) * 100.0, v.unrelated);
    out += buf;
  }
  if (!v.unknown_words.empty()) {
    out += "; the " + model_name + " model does not know: ";
    for (size_t i = 0; i < v.unknown_words.size(); ++i) out += (i ? ", " : "") + v.unknown_words[i];
  }
  return out;
}

}  // namespace clip
