// models/catalog.json: the public CLIP ONNX exports `clipsearch fetch-model
// NAME` knows. Each entry's `model` is a model.json (parsed by the same
// parser) with the hashes and sizes that are known ahead of the download.
#pragma once
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/model_manifest.h"
#include "core/util/result.h"

namespace clipsearch {

// Published results of the real model that fetch-model reproduces after a
// download (docs/MODELS.md, "Checked on arrival"). Image paths are relative
// to the catalog file's folder.
struct LabelCheck {
  std::string image;
  std::vector<std::string> texts;
  std::vector<float> probs;     // softmax(logit_scale x cosine) over `texts`, as published
  float max_abs_error = 0.01f;  // per probability
  std::string source;           // where the numbers were published
};

struct RetrievalCheck {
  std::vector<std::pair<std::string, std::string>> pairs;  // (image, its own description)
  std::string source;
};

struct ReferenceChecks {
  std::vector<LabelCheck> labels;        // 0 or 1
  std::vector<RetrievalCheck> retrieval; // 0 or 1
  // Lowest cosine to fp32 a fp16 or int8 file may show on fixed inputs.
  float min_agreement = 0.9f;
};

struct CatalogEntry {
  std::string name;
  std::vector<std::string> aliases;
  std::string description;
  std::string license;
  std::string license_url;
  std::string repo;      // a page for people
  std::string base_url;  // files are base_url + path; "{revision}" is replaced
  std::string revision;
  // Every file's size and SHA-256 seen in a public source. An unverified
  // entry is fetched only with --allow-unverified.
  bool verified = false;
  clip::ModelManifest model;  // fingerprint empty; sha256/bytes empty/0 when unknown; no input names = from the graph
  // precision -> one fused graph computing the primary text tower and the
  // vision tower together (Xenova's Chinese-CLIP). It is downloaded and split
  // into the files model.text / model.vision name for that precision, whose
  // hashes are then those of the split (split_towers.h).
  std::map<std::string, clip::ModelFile> fused;
  ReferenceChecks checks;
  std::string dir;            // the catalog file's folder: where check images are

  // base_url with {revision} filled in, ending in '/'.
  std::string resolved_base_url(const std::string& revision_override = "") const;
};

// `file` names the catalog in errors; its folder is each entry's `dir`.
clip::Result<std::vector<CatalogEntry>> parse_model_catalog(std::string_view json_text, const std::string& file);

// By name or alias, ignoring case; nullptr when unknown.
const CatalogEntry* find_catalog_entry(const std::vector<CatalogEntry>& catalog, const std::string& name);

// --catalog, else $CLIPSEARCH_CATALOG, else the file fixed at configure time
// (models/catalog.json of the source tree), else
// <exe>/../share/clipsearch/models/catalog.json (an installed tool).
std::string find_catalog_file(const std::string& flag);

}  // namespace clipsearch
