// What `clipsearch fetch-model --url BASE` downloads when no catalog entry
// describes the model: BASE/model.json when BASE is another clipsearch model
// folder (its hashes are then checked), else a Hugging Face transformers.js
// export (the layout of the Xenova/* repositories): onnx/text_model.onnx,
// onnx/text_model_fp16.onnx, onnx/text_model_quantized.onnx (same for
// vision_model), vocab.json + merges.txt or tokenizer.json, and
// preprocessor_config.json for the image settings.
#pragma once
#include <functional>
#include <string>
#include <string_view>

#include "core/model/model_manifest.h"
#include "core/util/result.h"
#include "tools/net/http.h"

namespace clipsearch {

// `log` receives one line per decision ("no model.json at ...: probing ...").
// *hf_export: the template is a probed transformers.js export (not another
// clipsearch folder's model.json), whose text contract comes from its files.
clip::Result<clip::ModelManifest> model_template_from_url(const std::string& base_url, const std::string& name,
                                                          const net::HttpLimits& limits,
                                                          const std::function<void(const std::string&)>& log,
                                                          bool* hf_export);

// Image size, resample filter, mean and std from a Hugging Face
// preprocessor_config.json; settings model.json cannot express are errors.
clip::Status apply_hf_preprocessor_config(std::string_view json_text, clip::ModelManifest* m);

// The text input contract a Hugging Face tokenizer.json states: padding
// {"strategy": {"Fixed": N}, "pad_id": P} means the tower was trained on
// exactly N ids padded with P (MobileCLIP's exports). Other padding (none,
// BatchLongest) leaves the tower variable-length. Sets *found accordingly.
clip::Status apply_hf_tokenizer_padding(std::string_view tokenizer_json, clip::TextTower* tower, bool* found);

// A model name from a base URL: the repository name of
// https://huggingface.co/ORG/REPO/resolve/REV/, else the last path part.
std::string model_name_from_url(const std::string& base_url);

}  // namespace clipsearch
