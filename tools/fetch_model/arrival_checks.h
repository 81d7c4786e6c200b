// Checked on arrival: a downloaded model is run on bundled reference inputs
// and its results compared with what its authors published (label
// probabilities of CLIP.png, the scikit-image photos finding their own
// descriptions), and each fp16 / int8 file with its fp32 twin.
#pragma once
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/util/result.h"
#include "tools/fetch_model/model_catalog.h"

namespace clipsearch {

struct ArrivalReport {
  std::vector<std::string> failures;     // one sentence each; empty = passed
  std::map<std::string, float> agreement;  // precision -> lowest cosine to fp32
};

// `model_dir` holds a complete model.json; runs on the CPU. Check images are
// under `reference_dir`. `log` gets the figures, one line each.
clip::Result<ArrivalReport> check_on_arrival(const std::string& model_dir, const ReferenceChecks& checks,
                                             const std::string& reference_dir,
                                             const std::function<void(const std::string&)>& log);

}  // namespace clipsearch
