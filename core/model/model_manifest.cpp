// model.json <-> ModelManifest. nlohmann::json is used without exceptions
// (wasm builds have none): every value's type is checked before it is read,
// and every error names the field it is about.
#include "core/model/model_manifest.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "core/model/json_fields.h"

namespace clip {
namespace {

using json = nlohmann::json;
using model_json::Fields;

Result<ModelFile> read_model_file(const json& v, const std::string& field) {
  ModelFile file;
  if (v.is_string()) {  // a bare path: hash and size unknown
    file.path = v.get<std::string>();
    return file;
  }
  Fields f(v, field);
  CLIP_TRY(f.object());
  CLIP_TRY(f.string("path", &file.path, true));
  CLIP_TRY(f.string("sha256", &file.sha256, false));
  for (char& c : file.sha256) c = char(std::tolower(static_cast<unsigned char>(c)));
  CLIP_TRY(f.u64("bytes", &file.bytes, false));
  return file;
}

Status read_encoder(const json& root, const char* key, EncoderSpec* out) {
  Fields top(root, "");
  const json* v = nullptr;
  CLIP_TRY(top.member(key, true, &v));
  Fields f(*v, key);
  CLIP_TRY(f.object());

  const json* variants = nullptr;
  CLIP_TRY(f.member("variants", true, &variants));
  const std::string vfield = std::string(key) + ".variants";
  if (!variants->is_object()) return model_json::error(vfield, "must be an object");
  for (auto it = variants->begin(); it != variants->end(); ++it) {
    auto file = read_model_file(it.value(), vfield + "." + it.key());
    if (!file) return file.error();
    out->variants[it.key()] = std::move(*file);
  }
  CLIP_TRY(f.string_list("inputs", &out->input_names, true));
  CLIP_TRY(f.string("output", &out->output_name, true));
  return ok_status();
}

Status read_tokenizer(const json& root, ModelManifest* m) {
  Fields top(root, "");
  const json* v = nullptr;
  CLIP_TRY(top.member("tokenizer", true, &v));
  Fields f(*v, "tokenizer");
  CLIP_TRY(f.object());
  CLIP_TRY(f.string("kind", &m->tokenizer_kind, true));
  const json* files = nullptr;
  CLIP_TRY(f.member("files", true, &files));
  if (!files->is_array()) return model_json::error("tokenizer.files", "must be an array");
  for (size_t i = 0; i < files->size(); ++i) {
    auto file = read_model_file((*files)[i], "tokenizer.files[" + std::to_string(i) + "]");
    if (!file) return file.error();
    m->tokenizer_files.push_back(std::move(*file));
  }
  uint64_t context = m->context_length;
  CLIP_TRY(f.u64("context_length", &context, false));
  if (context > 1u << 20) return model_json::error("tokenizer.context_length", "is out of range");
  m->context_length = uint32_t(context);
  return ok_status();
}

Status read_image(const json& root, ModelManifest* m) {
  Fields top(root, "");
  const json* v = nullptr;
  CLIP_TRY(top.member("image", true, &v));
  Fields f(*v, "image");
  CLIP_TRY(f.object());
  uint64_t size = 0;
  CLIP_TRY(f.u64("size", &size, true));
  if (size > 1u << 20) return model_json::error("image.size", "is out of range");
  m->image.size = int(size);
  CLIP_TRY(f.string("resize", &m->image_resize, false));
  std::string resample = resample_filter_name(m->image.resample);
  CLIP_TRY(f.string("resample", &resample, false));
  Result<ResampleFilter> filter = parse_resample_filter(resample);
  if (!filter) return model_json::error("image.resample", "must be \"bicubic\" or \"bilinear\", not \"" + resample + "\"");
  m->image.resample = *filter;
  CLIP_TRY(f.string("crop", &m->image_crop, false));
  CLIP_TRY(f.float3("mean", m->image.mean));
  CLIP_TRY(f.float3("std", m->image.std));
  return ok_status();
}

Status read_optional_maps(const json& root, ModelManifest* m) {
  Fields top(root, "");
  const json* v = nullptr;
  CLIP_TRY(top.member("preferred_precision", false, &v));
  if (v) {
    if (!v->is_object()) return model_json::error("preferred_precision", "must be an object");
    for (auto it = v->begin(); it != v->end(); ++it) {
      if (!it.value().is_string())
        return model_json::error("preferred_precision." + it.key(), "must be a string");
      m->preferred_precision[it.key()] = it.value().get<std::string>();
    }
  }
  v = nullptr;
  CLIP_TRY(top.member("agreement", false, &v));
  if (v) {
    if (!v->is_object()) return model_json::error("agreement", "must be an object");
    for (auto it = v->begin(); it != v->end(); ++it) {
      if (!it.value().is_number()) return model_json::error("agreement." + it.key(), "must be a number");
      m->agreement[it.key()] = float(it.value().get<double>());
    }
  }
  v = nullptr;
  CLIP_TRY(top.member("source", false, &v));
  if (v) {
    Fields f(*v, "source");
    CLIP_TRY(f.object());
    CLIP_TRY(f.string("catalog", &m->source.catalog, false));
    CLIP_TRY(f.string("base_url", &m->source.base_url, false));
    CLIP_TRY(f.string("revision", &m->source.revision, false));
    CLIP_TRY(f.string("fetched_utc", &m->source.fetched_utc, false));
  }
  return ok_status();
}

// Shortest decimal that reads back as the same float: 0.48145466f is written
// as 0.48145467, not as its double expansion 0.4814546704292297.
double float_for_json(float x) {
  char buf[32];
  for (int precision = 6; precision <= 9; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, double(x));
    if (std::strtof(buf, nullptr) == x) break;
  }
  return std::strtod(buf, nullptr);
}

nlohmann::ordered_json file_json(const ModelFile& file) {
  nlohmann::ordered_json j;
  j["path"] = file.path;
  j["sha256"] = file.sha256;
  j["bytes"] = file.bytes;
  return j;
}

nlohmann::ordered_json encoder_json(const EncoderSpec& e) {
  nlohmann::ordered_json j, variants = nlohmann::ordered_json::object();
  // fp32, fp16, int8 reads better than the map's alphabetical order.
  for (const char* p : {"fp32", "fp16", "int8"}) {
    auto it = e.variants.find(p);
    if (it != e.variants.end()) variants[p] = file_json(it->second);
  }
  for (const auto& [precision, file] : e.variants)
    if (!variants.contains(precision)) variants[precision] = file_json(file);
  j["variants"] = variants;
  j["inputs"] = e.input_names;
  j["output"] = e.output_name;
  return j;
}

}  // namespace

Result<ModelManifest> parse_model_manifest(std::string_view json_text) {
  if (json_text.size() > kMaxModelManifestBytes)
    return make_error("model.json: " + std::to_string(json_text.size()) + " bytes is over the " +
                      std::to_string(kMaxModelManifestBytes) + "-byte limit");
  auto root = model_json::parse(json_text, "model.json");
  if (!root) return root.error();
  const json& j = *root;
  if (!j.is_object()) return make_error("model.json: the top level must be a JSON object");

  ModelManifest m;
  Fields f(j, "");
  uint64_t format = 0;
  CLIP_TRY(f.u64("format", &format, true));
  if (format != 1)
    return make_error("model.json: format " + std::to_string(format) + " is not supported (this build reads format 1)");
  m.format = 1;
  CLIP_TRY(f.string("name", &m.name, true));
  CLIP_TRY(f.string("fingerprint", &m.fingerprint, false));
  uint64_t dim = 0;
  CLIP_TRY(f.u64("embedding_dim", &dim, true));
  if (dim > 1u << 20) return model_json::error("embedding_dim", "is out of range");
  m.embedding_dim = uint32_t(dim);
  double scale = m.logit_scale;
  CLIP_TRY(f.number("logit_scale", &scale, false));
  m.logit_scale = float(scale);
  CLIP_TRY(read_encoder(j, "text", &m.text));
  CLIP_TRY(read_encoder(j, "vision", &m.vision));
  CLIP_TRY(read_tokenizer(j, &m));
  CLIP_TRY(read_image(j, &m));
  CLIP_TRY(read_optional_maps(j, &m));
  CLIP_TRY(validate_model_manifest(m));
  return m;
}

std::string serialize_model_manifest(const ModelManifest& m) {
  nlohmann::ordered_json j;
  j["format"] = m.format;
  j["name"] = m.name;
  j["fingerprint"] = m.fingerprint;
  j["embedding_dim"] = m.embedding_dim;
  j["logit_scale"] = float_for_json(m.logit_scale);
  j["text"] = encoder_json(m.text);
  j["vision"] = encoder_json(m.vision);
  nlohmann::ordered_json tok;
  tok["kind"] = m.tokenizer_kind;
  tok["files"] = nlohmann::ordered_json::array();
  for (const auto& file : m.tokenizer_files) tok["files"].push_back(file_json(file));
  tok["context_length"] = m.context_length;
  j["tokenizer"] = tok;
  nlohmann::ordered_json img;
  img["size"] = m.image.size;
  img["resize"] = m.image_resize;
  img["resample"] = resample_filter_name(m.image.resample);
  img["crop"] = m.image_crop;
  for (int c = 0; c < 3; ++c) {
    img["mean"].push_back(float_for_json(m.image.mean[c]));
    img["std"].push_back(float_for_json(m.image.std[c]));
  }
  j["image"] = img;
  j["preferred_precision"] = nlohmann::ordered_json::object();
  for (const auto& [backend, precision] : m.preferred_precision) j["preferred_precision"][backend] = precision;
  if (!m.agreement.empty()) {
    for (const auto& [precision, cosine] : m.agreement) j["agreement"][precision] = float_for_json(cosine);
  }
  if (!m.source.empty()) {
    nlohmann::ordered_json src;
    if (!m.source.catalog.empty()) src["catalog"] = m.source.catalog;
    if (!m.source.base_url.empty()) src["base_url"] = m.source.base_url;
    if (!m.source.revision.empty()) src["revision"] = m.source.revision;
    if (!m.source.fetched_utc.empty()) src["fetched_utc"] = m.source.fetched_utc;
    j["source"] = src;
  }
  return j.dump(2) + "\n";
}

const ModelFile* pick_variant(const EncoderSpec& spec, const ModelManifest& m, const std::string& backend) {
  auto preferred = m.preferred_precision.find(backend);
  if (preferred != m.preferred_precision.end()) {
    auto it = spec.variants.find(preferred->second);
    if (it != spec.variants.end()) return &it->second;
  }
  for (const char* p : {"fp32", "fp16", "int8"}) {
    auto it = spec.variants.find(p);
    if (it != spec.variants.end()) return &it->second;
  }
  return nullptr;
}

}  // namespace clip
