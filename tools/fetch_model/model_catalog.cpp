#include "tools/fetch_model/model_catalog.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>

#include "core/model/json_fields.h"

#ifndef CLIPSEARCH_CATALOG
#define CLIPSEARCH_CATALOG ""
#endif

namespace clipsearch {
namespace {

namespace fs = std::filesystem;
using clip::model_json::Fields;

std::string lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

clip::Result<CatalogEntry> read_entry(const nlohmann::json& v, const std::string& where, const std::string& file) {
  CatalogEntry e;
  Fields f(v, where, file);
  CLIP_TRY(f.object());
  CLIP_TRY(f.string("name", &e.name, true));
  CLIP_TRY(f.string_list("aliases", &e.aliases, false));
  CLIP_TRY(f.string("description", &e.description, false));
  CLIP_TRY(f.string("license", &e.license, false));
  CLIP_TRY(f.string("repo", &e.repo, false));
  CLIP_TRY(f.string("base_url", &e.base_url, true));
  CLIP_TRY(f.string("revision", &e.revision, false));
  if (e.base_url.rfind("https://", 0) != 0 && e.base_url.rfind("http://", 0) != 0)
    return f.fail("base_url", "must be an http:// or https:// URL");
  if (e.base_url.find("{revision}") != std::string::npos && e.revision.empty())
    return f.fail("revision", "is needed: base_url contains {revision}");
  const nlohmann::json* model = nullptr;
  CLIP_TRY(f.member("model", true, &model));
  auto m = clip::parse_model_manifest(model->dump());
  if (!m.ok()) return clip::make_error(file + ": " + where + ".model (" + e.name + "): " + m.message());
  e.model = std::move(*m);
  if (e.model.name != e.name) return f.fail("model.name", "must equal the entry's name \"" + e.name + "\"");
  return e;
}

}  // namespace

std::string CatalogEntry::resolved_base_url(const std::string& revision_override) const {
  std::string url = base_url;
  const std::string rev = revision_override.empty() ? revision : revision_override;
  for (size_t at; (at = url.find("{revision}")) != std::string::npos;) url.replace(at, 10, rev);
  if (url.empty() || url.back() != '/') url += '/';
  return url;
}

clip::Result<std::vector<CatalogEntry>> parse_model_catalog(std::string_view json_text, const std::string& file) {
  auto root = clip::model_json::parse(json_text, file);
  CLIP_TRY(root);
  Fields top(*root, "", file);
  CLIP_TRY(top.object());
  uint64_t format = 0;
  CLIP_TRY(top.u64("format", &format, true));
  if (format != 1) return clip::make_error(file + ": format " + std::to_string(format) + " is not supported");
  const nlohmann::json* models = nullptr;
  CLIP_TRY(top.member("models", true, &models));
  if (!models->is_array()) return clip::model_json::error(file, "models", "must be an array");
  std::vector<CatalogEntry> out;
  for (size_t i = 0; i < models->size(); ++i) {
    auto e = read_entry((*models)[i], "models[" + std::to_string(i) + "]", file);
    CLIP_TRY(e);
    out.push_back(std::move(*e));
  }
  return out;
}

const CatalogEntry* find_catalog_entry(const std::vector<CatalogEntry>& catalog, const std::string& name) {
  const std::string want = lower(name);
  for (const auto& e : catalog) {
    if (lower(e.name) == want) return &e;
    for (const auto& alias : e.aliases)
      if (lower(alias) == want) return &e;
  }
  return nullptr;
}

std::string find_catalog_file(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("CLIPSEARCH_CATALOG"); env && *env) return env;
  std::error_code ec;
  if (*CLIPSEARCH_CATALOG && fs::exists(CLIPSEARCH_CATALOG, ec)) return CLIPSEARCH_CATALOG;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path installed = self.parent_path() / ".." / "share" / "clipsearch" / "models" / "catalog.json";
    if (fs::exists(installed, ec)) return installed.lexically_normal().string();
  }
  return CLIPSEARCH_CATALOG;
}

}  // namespace clipsearch
