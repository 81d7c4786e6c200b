// models/catalog.json: the public CLIP ONNX exports `clipsearch fetch-model
// NAME` knows. Each entry's `model` is a model.json (parsed by the same
// parser) with the hashes and sizes that are known ahead of the download.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/model/model_manifest.h"
#include "core/util/result.h"

namespace clipsearch {

struct CatalogEntry {
  std::string name;
  std::vector<std::string> aliases;
  std::string description;
  std::string license;
  std::string repo;      // a page for people
  std::string base_url;  // files are base_url + path; "{revision}" is replaced
  std::string revision;
  clip::ModelManifest model;  // fingerprint empty; sha256/bytes empty/0 when unknown

  // base_url with {revision} filled in, ending in '/'.
  std::string resolved_base_url(const std::string& revision_override = "") const;
};

clip::Result<std::vector<CatalogEntry>> parse_model_catalog(std::string_view json_text, const std::string& file);

// By name or alias, ignoring case; nullptr when unknown.
const CatalogEntry* find_catalog_entry(const std::vector<CatalogEntry>& catalog, const std::string& name);

// --catalog, else $CLIPSEARCH_CATALOG, else the file fixed at configure time
// (models/catalog.json of the source tree), else
// <exe>/../share/clipsearch/models/catalog.json (an installed tool).
std::string find_catalog_file(const std::string& flag);

}  // namespace clipsearch
