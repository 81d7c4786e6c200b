// The value checks of model.json, shared by the parser and by writers that
// build a manifest in code. Limits are generous for real CLIP models and
// small enough that a reader never allocates much on a hostile manifest.
#include <cmath>
#include <string>

#include "core/model/json_fields.h"
#include "core/model/model_manifest.h"
#include "core/model/tokenizer_factory.h"

namespace clip {
namespace {

using model_json::error;

bool is_precision(const std::string& p) { return p == "fp32" || p == "fp16" || p == "int8"; }
bool is_backend(const std::string& b) { return b == "webgpu" || b == "wasm" || b == "cpu" || b == "cuda"; }

bool is_lower_hex(const std::string& s, size_t n) {
  if (s.size() != n) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// A model name doubles as a folder name (models/<name>/).
bool is_model_name(const std::string& s) {
  if (s.empty() || s.size() > 128 || s[0] == '.' || s[0] == '-') return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool is_short_identifier(const std::string& s) {
  if (s.empty() || s.size() > 256) return false;
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return false;
  return true;
}

Status check_file(const ModelFile& file, const std::string& field) {
  auto path = check_model_path(file.path);
  if (!path) return error(field + ".path", path.message());
  if (!file.sha256.empty() && !is_lower_hex(file.sha256, 64))
    return error(field + ".sha256", "must be 64 lowercase hex digits");
  return ok_status();
}

Status check_encoder(const EncoderSpec& e, const std::string& key) {
  if (e.variants.empty()) return error(key + ".variants", "must list at least one of fp32, fp16, int8");
  for (const auto& [precision, file] : e.variants) {
    if (!is_precision(precision))
      return error(key + ".variants", "has unknown precision \"" + precision + "\" (expected fp32, fp16 or int8)");
    CLIP_TRY(check_file(file, key + ".variants." + precision));
  }
  if (e.input_names.empty() || e.input_names.size() > 16)
    return error(key + ".inputs", "must list 1 to 16 input names");
  for (const auto& name : e.input_names)
    if (!is_short_identifier(name)) return error(key + ".inputs", "must hold non-empty names of at most 256 bytes");
  if (!is_short_identifier(e.output_name))
    return error(key + ".output", "must be a non-empty name of at most 256 bytes");
  return ok_status();
}

// "en", "zh", "zh-hant": lowercase letters, digits and '-', 2 to 16 bytes.
bool is_language_tag(const std::string& s) {
  if (s.size() < 2 || s.size() > 16 || s.front() == '-' || s.back() == '-') return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return true;
}

Status check_tokenizer(const TokenizerSpec& t, const std::string& key) {
  size_t want = tokenizer_file_count(t.kind);
  if (want == 0) return error(key + ".kind", "must be " + known_tokenizer_kinds() + ", not \"" + t.kind + "\"");
  if (t.files.size() != want)
    return error(key + ".files", "must list " + std::to_string(want) + " file(s) for kind \"" + t.kind + "\"");
  for (size_t i = 0; i < t.files.size(); ++i)
    CLIP_TRY(check_file(t.files[i], key + ".files[" + std::to_string(i) + "]"));
  if (t.context_length < 2 || t.context_length > 1024)
    return error(key + ".context_length", "must be between 2 and 1024");
  return ok_status();
}

Status check_tower(const TextTower& t, const std::string& key, const std::string& tokenizer_key) {
  if (!is_language_tag(t.language))
    return error(key + ".language", "must be a language tag such as \"en\" or \"zh\" (2-16 of a-z, 0-9, '-')");
  CLIP_TRY(check_encoder(t.encoder, key));
  if (t.encoder.input_names.size() > 2)
    return error(key + ".inputs", "must list the token ids input, then optionally the attention mask (at most 2)");
  CLIP_TRY(check_tokenizer(t.tokenizer, tokenizer_key));
  return ok_status();
}

Status check_text_towers(const ModelManifest& m) {
  if (m.text_towers.empty()) return error("text", "is missing");
  if (m.text_towers.size() > kMaxTextTowers)
    return error("text_towers", "lists more than " + std::to_string(kMaxTextTowers - 1) + " towers");
  for (size_t i = 0; i < m.text_towers.size(); ++i) {
    const std::string key = i == 0 ? "text" : "text_towers[" + std::to_string(i - 1) + "]";
    CLIP_TRY(check_tower(m.text_towers[i], key, i == 0 ? "tokenizer" : key + ".tokenizer"));
    for (size_t k = 0; k < i; ++k)
      if (m.text_towers[k].language == m.text_towers[i].language)
        return error(key + ".language", "\"" + m.text_towers[i].language + "\" has two towers");
  }
  return ok_status();
}

}  // namespace

Status check_model_path(std::string_view path) {
  if (path.empty()) return make_error("must not be empty");
  if (path.size() > 1024) return make_error("is longer than 1024 bytes");
  if (path.front() == '/') return make_error("must be relative to the model folder, not \"" + std::string(path) + "\"");
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..")
      return make_error("must stay inside the model folder (no empty, \".\" or \"..\" parts): \"" +
                        std::string(path) + "\"");
    start = end + 1;
  }
  for (unsigned char c : path) {
    if (c == '\\' || c == ':' || c < 0x20 || c == 0x7f)
      return make_error("must be a plain '/'-separated path without '\\', ':' or control characters");
  }
  return ok_status();
}

Status validate_model_manifest(const ModelManifest& m) {
  if (m.format != 1) return error("format", "must be 1");
  if (!is_model_name(m.name))
    return error("name", "must be 1-128 letters, digits, '.', '_' or '-' (not starting with '.' or '-')");
  if (!m.fingerprint.empty() && !is_lower_hex(m.fingerprint, 64))
    return error("fingerprint", "must be 64 lowercase hex digits");
  if (m.embedding_dim < 1 || m.embedding_dim > 65536) return error("embedding_dim", "must be between 1 and 65536");
  if (!std::isfinite(m.logit_scale) || m.logit_scale <= 0) return error("logit_scale", "must be a positive number");
  for (size_t i = 0; i < m.accepted_fingerprints.size(); ++i)
    if (!is_lower_hex(m.accepted_fingerprints[i], 64))
      return error("accepted_fingerprints[" + std::to_string(i) + "]", "must be 64 lowercase hex digits");
  if (m.accepted_fingerprints.size() > 64) return error("accepted_fingerprints", "lists more than 64 fingerprints");
  CLIP_TRY(check_text_towers(m));
  CLIP_TRY(check_encoder(m.vision, "vision"));
  if (m.vision.input_names.size() != 1) return error("vision.inputs", "must list exactly one input (the pixels)");

  if (m.image.size < 16 || m.image.size > 1024) return error("image.size", "must be between 16 and 1024");
  for (int c = 0; c < 3; ++c) {
    if (!std::isfinite(m.image.mean[c])) return error("image.mean", "must be 3 finite numbers");
    if (!std::isfinite(m.image.std[c]) || m.image.std[c] <= 0)
      return error("image.std", "must be 3 positive numbers");
  }

  for (const auto& [backend, precision] : m.preferred_precision) {
    if (!is_backend(backend))
      return error("preferred_precision", "has unknown backend \"" + backend + "\" (expected webgpu, wasm, cpu or cuda)");
    if (!is_precision(precision))
      return error("preferred_precision." + backend, "must be \"fp32\", \"fp16\" or \"int8\"");
  }
  for (const auto& [precision, cosine] : m.agreement) {
    if (!is_precision(precision))
      return error("agreement", "has unknown precision \"" + precision + "\" (expected fp32, fp16 or int8)");
    if (!(cosine >= -1.0001f && cosine <= 1.0001f))  // also rejects NaN
      return error("agreement." + precision, "must be a cosine between -1 and 1");
  }
  for (const std::string* s : {&m.source.catalog, &m.source.base_url, &m.source.revision, &m.source.fetched_utc})
    if (s->size() > 4096) return error("source", "has a string longer than 4096 bytes");
  return ok_status();
}

}  // namespace clip
