// model.json <-> ModelManifest. nlohmann::json is used without exceptions
// (wasm builds have none): every value's type is checked before it is read,
// and every error names the field it is about.
#include "core/model/model_manifest.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdint>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "core/model/json_fields.h"

namespace clip {
namespace {

using json = nlohmann::json;
using model_json::Fields;

using model_json::read_model_file;

Status read_encoder_fields(const Fields& f, const std::string& key, EncoderSpec* out) {
  const json* variants = nullptr;
  CLIP_TRY(f.member("variants", true, &variants));
  const std::string vfield = key + ".variants";
  if (!variants->is_object()) return model_json::error(vfield, "must be an object");
  for (auto it = variants->begin(); it != variants->end(); ++it) {
    auto file = read_model_file(it.value(), vfield + "." + it.key());
    CLIP_TRY(file);
    out->variants[it.key()] = std::move(*file);
  }
  CLIP_TRY(f.string_list("inputs", &out->input_names, true));
  CLIP_TRY(f.string("output", &out->output_name, true));
  return ok_status();
}

Status read_tokenizer(const json& v, const std::string& key, TokenizerSpec* out) {
  Fields f(v, key);
  CLIP_TRY(f.object());
  CLIP_TRY(f.string("kind", &out->kind, true));
  const json* files = nullptr;
  CLIP_TRY(f.member("files", true, &files));
  if (!files->is_array()) return model_json::error(key + ".files", "must be an array");
  for (size_t i = 0; i < files->size(); ++i) {
    auto file = read_model_file((*files)[i], key + ".files[" + std::to_string(i) + "]");
    CLIP_TRY(file);
    out->files.push_back(std::move(*file));
  }
  uint64_t context = out->context_length;
  CLIP_TRY(f.u64("context_length", &context, false));
  if (context > 1u << 20) return model_json::error(key + ".context_length", "is out of range");
  out->context_length = uint32_t(context);
  return ok_status();
}

Status read_text_input(const Fields& tower, const std::string& key, bool required, TextInputSpec* out) {
  const json* v = nullptr;
  CLIP_TRY(tower.member("input", required, &v));
  if (!v) return ok_status();
  const std::string field = key + ".input";
  Fields f(*v, field);
  CLIP_TRY(f.object());
  std::string length = text_length_name(out->length);
  CLIP_TRY(f.string("length", &length, true));
  if (length == "variable") out->length = TextLength::variable;
  else if (length == "fixed") out->length = TextLength::fixed;
  else return model_json::error(field + ".length", "must be \"variable\" or \"fixed\", not \"" + length + "\"");
  uint64_t pad = 0;
  CLIP_TRY(f.u64("pad_id", &pad, true));
  if (pad > uint64_t(INT32_MAX)) return model_json::error(field + ".pad_id", "is out of range");
  out->pad_id = int32_t(pad);
  std::string pooling = text_pooling_name(out->pooling);
  CLIP_TRY(f.string("pooling", &pooling, true));
  if (pooling == "argmax") out->pooling = TextPooling::argmax;
  else if (pooling == "first") out->pooling = TextPooling::first;
  else if (pooling == "none") out->pooling = TextPooling::none;
  else return model_json::error(field + ".pooling", "must be \"argmax\", \"first\" or \"none\", not \"" + pooling + "\"");
  return ok_status();
}

Status read_token_ids(const Fields& tower, const std::string& key, std::vector<int32_t>* out) {
  const json* v = nullptr;
  CLIP_TRY(tower.member("trained_token_ids", false, &v));
  if (!v) return ok_status();
  const std::string field = key + ".trained_token_ids";
  if (!v->is_array()) return model_json::error(field, "must be an array of token ids");
  for (const json& id : *v) {
    if (!id.is_number_unsigned() || id.get<uint64_t>() > uint64_t(INT32_MAX))
      return model_json::error(field, "must be an array of token ids (integers 0 to 2147483647)");
    out->push_back(int32_t(id.get<uint64_t>()));
  }
  std::sort(out->begin(), out->end());
  out->erase(std::unique(out->begin(), out->end()), out->end());
  return ok_status();
}

// One tower object; the primary one keeps its tokenizer at the top level
// (model.json's format before towers) and may leave out "input".
Status read_tower(const json& v, const std::string& key, const json* tokenizer, TextTower* out) {
  Fields f(v, key);
  CLIP_TRY(f.object());
  const bool primary = tokenizer != nullptr;
  CLIP_TRY(f.string("language", &out->language, !primary));
  CLIP_TRY(read_encoder_fields(f, key, &out->encoder));
  if (!primary) {
    CLIP_TRY(f.member("tokenizer", true, &tokenizer));
    CLIP_TRY(read_tokenizer(*tokenizer, key + ".tokenizer", &out->tokenizer));
  } else {
    CLIP_TRY(read_tokenizer(*tokenizer, "tokenizer", &out->tokenizer));
  }
  CLIP_TRY(read_text_input(f, key, !primary, &out->input));
  CLIP_TRY(read_token_ids(f, key, &out->trained_token_ids));
  return ok_status();
}

Status read_text_towers(const json& root, ModelManifest* m) {
  Fields top(root, "");
  const json* text = nullptr;
  const json* tokenizer = nullptr;
  CLIP_TRY(top.member("text", true, &text));
  CLIP_TRY(top.member("tokenizer", true, &tokenizer));
  m->text_towers.emplace_back();
  CLIP_TRY(read_tower(*text, "text", tokenizer, &m->text_towers.back()));
  const json* more = nullptr;
  CLIP_TRY(top.member("text_towers", false, &more));
  if (!more) return ok_status();
  if (!more->is_array()) return model_json::error("text_towers", "must be an array of text towers");
  if (more->size() + 1 > kMaxTextTowers)
    return model_json::error("text_towers", "lists more than " + std::to_string(kMaxTextTowers - 1) + " towers");
  for (size_t i = 0; i < more->size(); ++i) {
    m->text_towers.emplace_back();
    CLIP_TRY(read_tower((*more)[i], "text_towers[" + std::to_string(i) + "]", nullptr, &m->text_towers.back()));
  }
  return ok_status();
}

// The required top-level object `key`.
Result<const json*> top_object(const json& root, const char* key) {
  const json* v = nullptr;
  CLIP_TRY(Fields(root, "").member(key, true, &v));
  CLIP_TRY(Fields(*v, key).object());
  return v;
}

Status read_vision(const json& root, EncoderSpec* out) {
  auto v = top_object(root, "vision");
  CLIP_TRY(v);
  return read_encoder_fields(Fields(**v, "vision"), "vision", out);
}

Status read_image(const json& root, ModelManifest* m) {
  auto v = top_object(root, "image");
  CLIP_TRY(v);
  Fields f(**v, "image");
  uint64_t size = 0;
  CLIP_TRY(f.u64("size", &size, true));
  if (size > 1u << 20) return model_json::error("image.size", "is out of range");
  m->image.size = int(size);
  std::string resize = resize_rule_resize_name(m->image.resize), crop = resize_rule_crop_name(m->image.resize);
  CLIP_TRY(f.string("resize", &resize, false));
  std::string resample = resample_filter_name(m->image.resample);
  CLIP_TRY(f.string("resample", &resample, false));
  Result<ResampleFilter> filter = parse_resample_filter(resample);
  if (!filter) return model_json::error("image.resample", "must be \"bicubic\" or \"bilinear\", not \"" + resample + "\"");
  m->image.resample = *filter;
  CLIP_TRY(f.string("crop", &crop, false));
  Result<ResizeRule> rule = parse_resize_rule(resize, crop);
  if (!rule) return model_json::error("image.resize", rule.message());
  m->image.resize = *rule;
  CLIP_TRY(f.float3("mean", m->image.mean));
  CLIP_TRY(f.float3("std", m->image.std));
  return ok_status();
}

Status read_optional_maps(const json& root, ModelManifest* m) {
  Fields top(root, "");
  CLIP_TRY(top.string_list("accepted_fingerprints", &m->accepted_fingerprints, false));
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

void put_encoder(nlohmann::ordered_json& j, const EncoderSpec& e) {
  nlohmann::ordered_json variants = nlohmann::ordered_json::object();
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
}

nlohmann::ordered_json tokenizer_json(const TokenizerSpec& t) {
  nlohmann::ordered_json tok;
  tok["kind"] = t.kind;
  tok["files"] = nlohmann::ordered_json::array();
  for (const auto& file : t.files) tok["files"].push_back(file_json(file));
  tok["context_length"] = t.context_length;
  return tok;
}

// The primary tower's tokenizer goes to the top level, where readers of
// model.json before text towers look for it.
nlohmann::ordered_json tower_json(const TextTower& t, bool primary) {
  nlohmann::ordered_json j;
  j["language"] = t.language;
  put_encoder(j, t.encoder);
  if (!primary) j["tokenizer"] = tokenizer_json(t.tokenizer);
  nlohmann::ordered_json input;
  input["length"] = text_length_name(t.input.length);
  input["pad_id"] = t.input.pad_id;
  input["pooling"] = text_pooling_name(t.input.pooling);
  j["input"] = input;
  if (!t.trained_token_ids.empty()) j["trained_token_ids"] = t.trained_token_ids;
  return j;
}

}  // namespace

Result<ModelManifest> parse_model_manifest(std::string_view json_text) {
  if (json_text.size() > kMaxModelManifestBytes)
    return make_error("model.json: " + std::to_string(json_text.size()) + " bytes is over the " +
                      std::to_string(kMaxModelManifestBytes) + "-byte limit");
  auto root = model_json::parse(json_text, "model.json");
  CLIP_TRY(root);
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
  CLIP_TRY(read_text_towers(j, &m));
  CLIP_TRY(read_vision(j, &m.vision));
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
  if (!m.accepted_fingerprints.empty()) j["accepted_fingerprints"] = m.accepted_fingerprints;
  j["embedding_dim"] = m.embedding_dim;
  j["logit_scale"] = float_for_json(m.logit_scale);
  if (!m.text_towers.empty()) {
    j["text"] = tower_json(m.text(), true);
    j["tokenizer"] = tokenizer_json(m.text().tokenizer);
  }
  if (m.text_towers.size() > 1) {
    j["text_towers"] = nlohmann::ordered_json::array();
    for (size_t i = 1; i < m.text_towers.size(); ++i) j["text_towers"].push_back(tower_json(m.text_towers[i], false));
  }
  nlohmann::ordered_json vision;
  put_encoder(vision, m.vision);
  j["vision"] = vision;
  nlohmann::ordered_json img;
  img["size"] = m.image.size;
  img["resize"] = resize_rule_resize_name(m.image.resize);
  img["resample"] = resample_filter_name(m.image.resample);
  img["crop"] = resize_rule_crop_name(m.image.resize);
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

const char* text_length_name(TextLength length) { return length == TextLength::fixed ? "fixed" : "variable"; }

const char* text_pooling_name(TextPooling pooling) {
  switch (pooling) {
    case TextPooling::first: return "first";
    case TextPooling::none: return "none";
    case TextPooling::argmax: break;
  }
  return "argmax";
}

}  // namespace clip
