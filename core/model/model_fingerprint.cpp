// The model fingerprint: what an index records so that a page or CLI with
// another model refuses it. Definition (docs/MODEL_MANIFEST.md) and its
// Python twin (models/model_fingerprint.py) must stay identical. Format 1
// is kept to recognise indexes built before format 2.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

#include "core/model/model_manifest.h"
#include "core/util/sha256.h"

namespace clip {
namespace {

// fp16/int8 files are quantisations of the fp32 weights, so the fingerprint
// follows the most precise file the manifest lists.
const ModelFile* reference_variant(const EncoderSpec& e) {
  for (const char* p : {"fp32", "fp16", "int8"}) {
    auto it = e.variants.find(p);
    if (it != e.variants.end()) return &it->second;
  }
  return nullptr;
}

// Floats enter as their IEEE-754 single-precision bits, so a writer that
// holds 0.48145466 as a double (Python) and one that holds it as a float
// agree without any decimal formatting rules.
std::string float_bits(float x) {
  uint32_t u;
  std::memcpy(&u, &x, 4);
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", u);
  return buf;
}

std::string float3_bits(const float v[3]) {
  return float_bits(v[0]) + "," + float_bits(v[1]) + "," + float_bits(v[2]);
}

Result<std::string> file_sha(const ModelFile& file, const std::string& what) {
  if (file.sha256.empty())
    return make_error("model fingerprint: " + (what.empty() ? "" : what + " ") + file.path + " has no sha256 in the manifest");
  return file.sha256;
}

Result<std::string> encoder_sha(const EncoderSpec& e, const char* key) {
  const ModelFile* file = reference_variant(e);
  if (!file) return make_error(std::string("model fingerprint: the ") + key + " encoder lists no file");
  return file_sha(*file, "");
}

std::string image_lines(const ModelManifest& m) {
  std::string text;
  text += "image.size=" + std::to_string(m.image.size) + "\n";
  text += "image.resize=" + std::string(resize_rule_resize_name(m.image.resize)) + "\n";
  text += "image.resample=" + std::string(resample_filter_name(m.image.resample)) + "\n";
  text += "image.crop=" + std::string(resize_rule_crop_name(m.image.resize)) + "\n";
  text += "image.mean=" + float3_bits(m.image.mean) + "\n";
  text += "image.std=" + float3_bits(m.image.std) + "\n";
  return text;
}

}  // namespace

Result<std::string> model_fingerprint_text(const ModelManifest& m) {
  auto vision = encoder_sha(m.vision, "vision");
  CLIP_TRY(vision);
  std::string text = "clip-model-fingerprint/2\n";
  text += "embedding_dim=" + std::to_string(m.embedding_dim) + "\n";
  text += "vision=" + *vision + "\n";
  return text + image_lines(m);
}

Result<std::string> compute_model_fingerprint(const ModelManifest& m) {
  auto text = model_fingerprint_text(m);
  CLIP_TRY(text);
  return to_hex(sha256(text->data(), text->size()));
}

Result<std::string> legacy_fingerprint_v1_text(const ModelManifest& m) {
  if (m.text_towers.empty()) return make_error("model fingerprint: the manifest has no text tower");
  const TextTower& tower = m.text();
  std::string text = "clip-model-fingerprint/1\n";
  text += "embedding_dim=" + std::to_string(m.embedding_dim) + "\n";
  auto text_sha = encoder_sha(tower.encoder, "text");
  CLIP_TRY(text_sha);
  auto vision_sha = encoder_sha(m.vision, "vision");
  CLIP_TRY(vision_sha);
  text += "text=" + *text_sha + "\n";
  text += "vision=" + *vision_sha + "\n";
  text += "tokenizer=" + tower.tokenizer.kind + "\n";
  for (const auto& file : tower.tokenizer.files) {
    auto sha = file_sha(file, "tokenizer file");
    CLIP_TRY(sha);
    text += "tokenizer_file=" + *sha + "\n";
  }
  text += "context_length=" + std::to_string(tower.tokenizer.context_length) + "\n";
  return text + image_lines(m);
}

Result<std::string> compute_legacy_fingerprint_v1(const ModelManifest& m) {
  auto text = legacy_fingerprint_v1_text(m);
  CLIP_TRY(text);
  return to_hex(sha256(text->data(), text->size()));
}

Status complete_fingerprints(ModelManifest* m) {
  auto fp = compute_model_fingerprint(*m);
  CLIP_TRY(fp);
  m->fingerprint = *fp;
  auto v1 = compute_legacy_fingerprint_v1(*m);
  CLIP_TRY(v1);
  auto& accepted = m->accepted_fingerprints;
  if (std::find(accepted.begin(), accepted.end(), *v1) == accepted.end()) accepted.push_back(*v1);
  return ok_status();
}

}  // namespace clip
