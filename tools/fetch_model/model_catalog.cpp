#include "tools/fetch_model/model_catalog.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <set>

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

constexpr const char* kFromGraph = "(read from the graph on arrival)";

// Encoders whose input names the catalog leaves to the graph: a placeholder
// gets them through the model.json parser and is cleared after it.
nlohmann::json with_placeholder_inputs(nlohmann::json model) {
  auto fill = [](nlohmann::json& enc) {
    if (enc.is_object() && !enc.contains("inputs")) enc["inputs"] = {kFromGraph};
  };
  if (model.is_object()) {
    for (const char* key : {"text", "vision"})
      if (model.contains(key)) fill(model[key]);
    if (model.contains("text_towers") && model["text_towers"].is_array())
      for (auto& t : model["text_towers"]) fill(t);
  }
  return model;
}

void clear_placeholder_inputs(clip::ModelManifest& m) {
  auto clear = [](clip::EncoderSpec& e) {
    if (e.input_names.size() == 1 && e.input_names[0] == kFromGraph) e.input_names.clear();
  };
  for (auto& t : m.text_towers) clear(t.encoder);
  clear(m.vision);
}

// A fused entry: one fused file per precision of the towers it makes, and
// no hash for those towers' files (they get theirs when they are made).
clip::Status read_fused(const Fields& entry, const std::string& file, CatalogEntry* e) {
  const nlohmann::json* v = nullptr;
  CLIP_TRY(entry.member("fused", false, &v));
  if (!v) return clip::ok_status();
  if (!v->is_object() || v->empty()) return entry.fail("fused", "must map precisions to files");
  std::set<std::string> precisions;
  for (auto it = v->begin(); it != v->end(); ++it) {
    auto f = clip::model_json::read_model_file(it.value(), entry.name("fused") + "." + it.key(), file);
    CLIP_TRY(f);
    if (auto path = clip::check_model_path(f->path); !path.ok()) return entry.fail("fused", path.message());
    precisions.insert(it.key());
    e->fused[it.key()] = std::move(*f);
  }
  for (const clip::EncoderSpec* spec : {&e->model.text().encoder, &e->model.vision}) {
    std::set<std::string> listed;
    for (const auto& [p, f] : spec->variants) {
      listed.insert(p);
      if (!f.sha256.empty() || f.bytes)
        return entry.fail("fused", "makes " + f.path + " by splitting, so the entry cannot give its sha256 or bytes");
    }
    if (listed != precisions) return entry.fail("fused", "must list exactly the precisions of model.text and model.vision");
  }
  return clip::ok_status();
}

clip::Status check_verified(const CatalogEntry& e, const Fields& f) {
  std::vector<const clip::ModelFile*> files;
  for (size_t i = 0; i < e.model.text_towers.size(); ++i) {
    const auto& t = e.model.text_towers[i];
    if (i > 0 || e.fused.empty())  // the fused graph makes the primary tower
      for (const auto& [p, file] : t.encoder.variants) files.push_back(&file);
    for (const auto& file : t.tokenizer.files) files.push_back(&file);
  }
  if (e.fused.empty())
    for (const auto& [p, file] : e.model.vision.variants) files.push_back(&file);
  for (const auto& [p, file] : e.fused) files.push_back(&file);
  for (const clip::ModelFile* file : files)
    if (file->sha256.empty() || file->bytes == 0)
      return f.fail("verified", "is true, but " + file->path + " has no published sha256 and size");
  return clip::ok_status();
}

clip::Status read_checks(const Fields& entry, const std::string& file, ReferenceChecks* out) {
  const nlohmann::json* v = nullptr;
  CLIP_TRY(entry.member("checks", false, &v));
  if (!v) return clip::ok_status();
  Fields f(*v, entry.name("checks"), file);
  CLIP_TRY(f.object());
  double min_agreement = out->min_agreement;
  CLIP_TRY(f.number("min_agreement", &min_agreement, false));
  out->min_agreement = float(min_agreement);
  const nlohmann::json* labels = nullptr;
  CLIP_TRY(f.member("labels", false, &labels));
  if (labels) {
    Fields l(*labels, f.name("labels"), file);
    LabelCheck c;
    CLIP_TRY(l.object());
    CLIP_TRY(l.string("image", &c.image, true));
    CLIP_TRY(l.string_list("texts", &c.texts, true));
    CLIP_TRY(l.string("source", &c.source, true));
    const nlohmann::json* probs = nullptr;
    CLIP_TRY(l.member("probs", true, &probs));
    if (!probs->is_array() || probs->size() != c.texts.size())
      return l.fail("probs", "must be an array of one number per text");
    for (const auto& p : *probs) {
      if (!p.is_number()) return l.fail("probs", "must be an array of one number per text");
      c.probs.push_back(float(p.get<double>()));
    }
    double err = c.max_abs_error;
    CLIP_TRY(l.number("max_abs_error", &err, false));
    c.max_abs_error = float(err);
    if (auto path = clip::check_model_path(c.image); !path.ok()) return l.fail("image", path.message());
    out->labels.push_back(std::move(c));
  }
  const nlohmann::json* retrieval = nullptr;
  CLIP_TRY(f.member("retrieval", false, &retrieval));
  if (retrieval) {
    Fields r(*retrieval, f.name("retrieval"), file);
    RetrievalCheck c;
    CLIP_TRY(r.object());
    CLIP_TRY(r.string("source", &c.source, true));
    const nlohmann::json* pairs = nullptr;
    CLIP_TRY(r.member("pairs", true, &pairs));
    if (!pairs->is_array() || pairs->size() < 2) return r.fail("pairs", "must list at least 2 {image, text} pairs");
    for (const auto& p : *pairs) {
      Fields pf(p, r.name("pairs"), file);
      std::string image, text;
      CLIP_TRY(pf.string("image", &image, true));
      CLIP_TRY(pf.string("text", &text, true));
      if (auto path = clip::check_model_path(image); !path.ok()) return pf.fail("image", path.message());
      c.pairs.emplace_back(image, text);
    }
    out->retrieval.push_back(std::move(c));
  }
  return clip::ok_status();
}

clip::Result<CatalogEntry> read_entry(const nlohmann::json& v, const std::string& where, const std::string& file) {
  CatalogEntry e;
  Fields f(v, where, file);
  CLIP_TRY(f.object());
  CLIP_TRY(f.string("name", &e.name, true));
  CLIP_TRY(f.string_list("aliases", &e.aliases, false));
  CLIP_TRY(f.string("description", &e.description, false));
  CLIP_TRY(f.string("license", &e.license, false));
  CLIP_TRY(f.string("license_url", &e.license_url, false));
  CLIP_TRY(f.boolean("verified", &e.verified, false));
  CLIP_TRY(f.string("repo", &e.repo, false));
  CLIP_TRY(f.string("base_url", &e.base_url, true));
  CLIP_TRY(f.string("revision", &e.revision, false));
  if (e.base_url.rfind("https://", 0) != 0 && e.base_url.rfind("http://", 0) != 0)
    return f.fail("base_url", "must be an http:// or https:// URL");
  if (e.base_url.find("{revision}") != std::string::npos && e.revision.empty())
    return f.fail("revision", "is needed: base_url contains {revision}");
  const nlohmann::json* model = nullptr;
  CLIP_TRY(f.member("model", true, &model));
  auto m = clip::parse_model_manifest(with_placeholder_inputs(*model).dump());
  if (!m.ok()) return clip::make_error(file + ": " + where + ".model (" + e.name + "): " + m.message());
  e.model = std::move(*m);
  clear_placeholder_inputs(e.model);
  if (e.model.name != e.name) return f.fail("model.name", "must equal the entry's name \"" + e.name + "\"");
  CLIP_TRY(read_fused(f, file, &e));
  if (e.verified) CLIP_TRY(check_verified(e, f));
  CLIP_TRY(read_checks(f, file, &e.checks));
  e.dir = fs::path(file).parent_path().string();
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
