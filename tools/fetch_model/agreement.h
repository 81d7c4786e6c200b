// How closely the fp16 / int8 files of a model reproduce its fp32
// embeddings: the lowest cosine over fixed captions and demo images, per
// precision, taking text and vision together. Stored in model.json as
// "agreement" by `clipsearch fetch-model --check-agreement`.
#pragma once
#include <functional>
#include <map>
#include <string>

#include "core/util/result.h"

namespace clipsearch {

// `model_dir` holds a complete model.json (with an fp32 variant of each
// encoder); runs on the CPU. `log` gets one line per precision and encoder.
clip::Result<std::map<std::string, float>> check_agreement(const std::string& model_dir,
                                                           const std::function<void(const std::string&)>& log);

}  // namespace clipsearch
