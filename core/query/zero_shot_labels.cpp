#include "core/query/zero_shot_labels.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "core/search/kernels.h"

namespace clip {
namespace {

Result<std::vector<float>> normalised(const float* v, size_t dim, const std::string& what) {
  std::vector<float> out(v, v + dim);
  for (float x : out)
    if (!std::isfinite(x)) return make_error("labels: " + what + " has a value that is not finite");
  if (l2_normalize(out.data(), dim) == 0.0f) return make_error("labels: " + what + " is all zeros");
  return out;
}

std::string_view trim(std::string_view s) {
  const char* space = " \t\r\n\f\v";
  const size_t a = s.find_first_not_of(space);
  if (a == std::string_view::npos) return {};
  return s.substr(a, s.find_last_not_of(space) - a + 1);
}

}  // namespace

Result<std::vector<LabelScore>> score_labels(const std::vector<float>& image, const std::vector<float>& labels,
                                             size_t dim, float logit_scale) {
  if (dim == 0 || image.size() != dim)
    return make_error("labels: the image embedding has " + std::to_string(image.size()) + " values, expected " +
                      std::to_string(dim));
  if (labels.empty() || labels.size() % dim != 0)
    return make_error("labels: " + std::to_string(labels.size()) + " label values is not a whole number of rows of " +
                      std::to_string(dim));
  if (!(logit_scale > 0) || !std::isfinite(logit_scale))
    return make_error("labels: the logit scale must be a positive number, got " + std::to_string(logit_scale));
  auto img = normalised(image.data(), dim, "the image embedding");
  CLIP_TRY(img);
  const size_t count = labels.size() / dim;
  std::vector<LabelScore> out(count);
  for (size_t i = 0; i < count; ++i) {
    auto row = normalised(labels.data() + i * dim, dim, "the embedding of label " + std::to_string(i + 1));
    CLIP_TRY(row);
    double dot = 0;
    for (size_t d = 0; d < dim; ++d) dot += double((*img)[d]) * double((*row)[d]);
    out[i].label = i;
    out[i].score = float(dot);
  }
  // Softmax with the maximum subtracted, so large scales cannot overflow.
  double best = -1e300;
  for (const auto& s : out) best = std::max(best, double(logit_scale) * double(s.score));
  double total = 0;
  std::vector<double> e(count);
  for (size_t i = 0; i < count; ++i) total += e[i] = std::exp(double(logit_scale) * double(out[i].score) - best);
  for (size_t i = 0; i < count; ++i) out[i].prob = float(e[i] / total);
  std::stable_sort(out.begin(), out.end(), [](const LabelScore& a, const LabelScore& b) { return a.score > b.score; });
  return out;
}

Result<std::string> apply_label_template(std::string_view templ, std::string_view label) {
  const size_t at = templ.find("{}");
  if (at == std::string_view::npos)
    return make_error("labels: the template \"" + std::string(templ) + "\" has no {} for the label");
  if (templ.find("{}", at + 2) != std::string_view::npos)
    return make_error("labels: the template \"" + std::string(templ) + "\" has more than one {}");
  if (trim(label).empty()) return make_error("labels: a label is empty");
  std::string out(templ.substr(0, at));
  out += label;
  out += templ.substr(at + 2);
  return out;
}

Result<std::vector<std::string>> parse_label_list(std::string_view text) {
  std::vector<std::string> out;
  std::unordered_set<std::string> seen;
  size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const size_t nl = text.find('\n');
    const std::string_view line = trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (line.empty() || line[0] == '#') continue;
    if (!seen.insert(std::string(line)).second) continue;
    if (out.size() == kMaxLabels)
      return make_error("labels: more than " + std::to_string(kMaxLabels) + " labels (line " +
                        std::to_string(line_no) + ")");
    out.emplace_back(line);
  }
  return out;
}

}  // namespace clip
