// Zero-shot labelling: which of some texts best describes an image, as in
// OpenAI's CLIP README: softmax over logit_scale x cosine.
//   clipsearch labels --image cat.jpg --label cat --label dog --template "a photo of a {}"
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/result.h"

namespace clip {

constexpr size_t kMaxLabels = 4096;
constexpr std::string_view kDefaultLabelTemplate = "a photo of {}";

struct LabelScore {
  size_t label = 0;   // index into the labels given
  float score = 0;    // cosine of the image and the label's text embedding
  float prob = 0;     // softmax over all labels of logit_scale * score
};

// `image`: dim floats; `labels`: count rows of dim floats; neither need be
// normalised. Sorted by score, best first (ties by label index). Fails on
// zero or non-finite vectors, no labels, or a logit scale that is not a
// positive finite number.
Result<std::vector<LabelScore>> score_labels(const std::vector<float>& image, const std::vector<float>& labels,
                                             size_t dim, float logit_scale);

// The text embedded for a label: `templ` with its "{}" replaced by the label
// ("a photo of {}" + "cat" -> "a photo of cat"). A template without "{}" or
// with more than one is an error, as is an empty label.
Result<std::string> apply_label_template(std::string_view templ, std::string_view label);

// A label list file: one label per line; blank lines and lines starting
// with '#' are skipped, space around a label is trimmed, a repeated label is
// kept once. Fails on more than kMaxLabels labels, naming the line.
Result<std::vector<std::string>> parse_label_list(std::string_view text);

}  // namespace clip
