// "Is anything here really a match?": how far a query's best result stands
// out, compared with how far it stands out for queries unrelated to the
// index. The unrelated queries' lifts are computed once per index and model
// (unrelated_text_lifts, unrelated_image_lifts); then each result set is
// judged in microseconds (judge_match).
//
// The measure is the lift: the best score minus the query's median score
// over (a sample of) the index. Raw scores cannot be compared across
// queries: each text has its own offset (the demo model gives "a dog on the
// beach" 0.65 against 0.57 for a true "a green star"), while the lift
// subtracts it. Unrelated queries: for text, the generic captions of
// calibration_captions(), embedded by this model; for images, stored
// vectors of the index itself (evenly spaced rows, each excluding itself).
// The verdict is the share of those unrelated queries whose lift is below
// the query's. Why this and not the alternatives (raw top score, z-score,
// top-10 contrast): docs/MATCH.md, measured by models/query_quality.py.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "core/search/search.h"
#include "core/util/result.h"

namespace clip {

enum class MatchLevel { kClose, kWeak, kNone };
const char* match_level_name(MatchLevel level);  // "close", "weak", "none"

// A query whose lift beats this share of unrelated queries is "close";
// below kWeakPercentile it is "none" (chosen on the demo set, docs/MATCH.md).
constexpr float kClosePercentile = 0.90f;
constexpr float kWeakPercentile = 0.50f;
// The median is taken over at most this many rows (evenly spaced).
constexpr size_t kLiftSampleRows = 2048;
// Index rows used as unrelated image queries.
constexpr size_t kImageCalibrationQueries = 64;

// The generic captions ("a photo of a dog", "a city skyline at night", ...)
// that stand for unrelated text queries. Fixed: changing them changes every
// calibration.
const std::vector<std::string>& calibration_captions();

// Dequantised vectors of evenly spaced rows of the index, for the median.
// Only rows of whole shards count (a version-2 head has no int8 rows yet);
// the image calibration queries likewise.
struct ScoreSample {
  size_t dim = 0;
  std::vector<float> vectors;  // rows * dim
  size_t rows() const { return dim ? vectors.size() / dim : 0; }
};
ScoreSample sample_index_rows(const Searcher& searcher, size_t max_rows = kLiftSampleRows);

// top_score minus the median of <query, row> over the sample (query need
// not be normalised). With an empty sample (or a dim mismatch) there is no
// typical score to subtract: the top score itself.
float score_lift(float top_score, const float* query, size_t dim, const ScoreSample& sample);

// How far the best result stands out for each unrelated query, sorted
// ascending: the noise band a result set is judged against. Text: one
// search per caption; `caption_embeddings` holds calibration_captions().size()
// rows of the index's dim, embedded by the index's model. Images: one search
// per sampled row (kImageCalibrationQueries), each excluding itself; empty
// for an index of one image.
Result<std::vector<float>> unrelated_text_lifts(const Searcher& searcher, const ScoreSample& sample,
                                                const std::vector<float>& caption_embeddings);
Result<std::vector<float>> unrelated_image_lifts(const Searcher& searcher, const ScoreSample& sample);

struct MatchVerdict {
  MatchLevel level = MatchLevel::kNone;
  float lift = 0;
  float percentile = 0;  // share of unrelated queries with a lower lift
  size_t unrelated = 0;  // how many unrelated queries that share is of
  std::vector<std::string> unknown_words;  // words the model never saw (positive terms)
};

// The verdict for a result set whose best score is `top_score`, against the
// lifts of unrelated queries of the same kind (text queries against text
// lifts; a query with an image term against image lifts). With no
// unrelated lifts the level is "weak": nothing says either way.
MatchVerdict judge_match(const std::vector<float>& unrelated_lifts, float top_score, const float* query, size_t dim,
                         const ScoreSample& sample);

// A query with words its model never saw in a positive term cannot have a
// close match, whatever the scores: those words were not searched for.
void apply_unknown_words(MatchVerdict& verdict, std::vector<std::string> unknown_in_positive_terms);

// One line for people: "no close match (the best result stands out less than
// 61% of unrelated queries do); the demo-shapes model does not know: dog, beach".
std::string describe_match(const MatchVerdict& verdict, const std::string& model_name);

}  // namespace clip
