// The model fingerprint: what an index records so that a page or CLI with
// another model refuses it. Definition (docs/MODEL_MANIFEST.md) and its
// Python twin (models/model_fingerprint.py) must stay identical.
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

}  // namespace

Result<std::string> model_fingerprint_text(const ModelManifest& m) {
  std::string text = "clip-model-fingerprint/1\n";
  text += "embedding_dim=" + std::to_string(m.embedding_dim) + "\n";
  for (const auto& [key, encoder] : {std::pair<const char*, const EncoderSpec*>{"text", &m.text},
                                     std::pair<const char*, const EncoderSpec*>{"vision", &m.vision}}) {
    const ModelFile* file = reference_variant(*encoder);
    if (!file) return make_error(std::string("model fingerprint: the ") + key + " encoder lists no file");
    if (file->sha256.empty())
      return make_error("model fingerprint: " + file->path + " has no sha256 in the manifest");
    text += std::string(key) + "=" + file->sha256 + "\n";
  }
  text += "tokenizer=" + m.tokenizer_kind + "\n";
  for (const auto& file : m.tokenizer_files) {
    if (file.sha256.empty())
      return make_error("model fingerprint: tokenizer file " + file.path + " has no sha256 in the manifest");
    text += "tokenizer_file=" + file.sha256 + "\n";
  }
  text += "context_length=" + std::to_string(m.context_length) + "\n";
  text += "image.size=" + std::to_string(m.image.size) + "\n";
  text += "image.resize=" + m.image_resize + "\n";
  text += "image.resample=" + std::string(resample_filter_name(m.image.resample)) + "\n";
  text += "image.crop=" + m.image_crop + "\n";
  text += "image.mean=" + float3_bits(m.image.mean) + "\n";
  text += "image.std=" + float3_bits(m.image.std) + "\n";
  return text;
}

Result<std::string> compute_model_fingerprint(const ModelManifest& m) {
  auto text = model_fingerprint_text(m);
  if (!text) return text.error();
  return to_hex(sha256(text->data(), text->size()));
}

}  // namespace clip
