// The download half of `clipsearch fetch-model`: every file a model
// template names, fetched with resume and verification into a model folder,
// then model.json written from what arrived and what the graphs say.
#pragma once
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/model/model_manifest.h"
#include "core/util/result.h"
#include "tools/fetch_model/model_catalog.h"
#include "tools/net/http.h"

namespace clipsearch {

struct FetchModelOptions {
  std::string base_url;                 // files are base_url + path
  // Paths, known sha256/bytes, tokenizer and image settings. An encoder with
  // no input names and no output name (a --url export nobody described) gets
  // them from its graph; any other is checked against its graphs.
  clip::ModelManifest model;
  clip::ModelSource source;             // recorded in model.json
  std::string out_dir;
  std::vector<std::string> precisions;  // subset of "fp32", "fp16", "int8"; empty = all listed
  // Reproduced after the download (published numbers, fp32 agreement); a
  // model that fails is refused unless `verify` is false.
  ReferenceChecks checks;
  // precision -> a fused graph (both towers in one file), downloaded and
  // split into the primary text tower's and the vision tower's files of that
  // precision (split_towers.h), which then must agree with it.
  std::map<std::string, clip::ModelFile> fused;
  std::string reference_dir;  // where the check images are
  bool verify = true;
  // A transformers.js export: the text input contract comes from its
  // tokenizer.json padding (apply_hf_tokenizer_padding), checked against the graph.
  bool hf_export = false;
  net::DownloadOptions download;        // limits and retries; expected size/hash are set per file
  std::function<void(const std::string&)> log;  // progress lines
};

// Returns the manifest written to OUT/model.json. A second run over the same
// folder re-verifies what is there and fetches only what is missing. A model
// that fails its checks on arrival leaves OUT/model.json.rejected instead.
clip::Result<clip::ModelManifest> fetch_model(const FetchModelOptions& options);

}  // namespace clipsearch
