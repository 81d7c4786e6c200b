// models/<name>/model.json: everything the CLI and the page need to run a
// CLIP model. One parser for native and wasm. Spec: docs/MODEL_MANIFEST.md.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "core/image/preprocess.h"
#include "core/util/result.h"

namespace clip {

struct ModelFile {
  std::string path;    // relative to the model folder
  std::string sha256;  // lowercase hex, "" when unknown
  uint64_t bytes = 0;
};

struct EncoderSpec {
  // precision ("fp32", "fp16", "int8") -> file
  std::map<std::string, ModelFile> variants;
  std::vector<std::string> input_names;  // as read from the graph
  std::string output_name;               // "text_embeds" / "image_embeds"
};

struct ModelManifest {
  uint32_t format = 1;
  std::string name;
  std::string fingerprint;  // changes whenever weights or preprocessing change
  uint32_t embedding_dim = 0;
  float logit_scale = 100.0f;
  EncoderSpec text;
  EncoderSpec vision;
  std::string tokenizer_kind;              // "bpe_simple_vocab" | "vocab_merges" | "tokenizer_json"
  std::vector<std::string> tokenizer_files;
  uint32_t context_length = 77;
  PreprocessConfig image;                   // size, mean, std
  // backend ("webgpu", "wasm", "cpu", "cuda") -> preferred precision
  std::map<std::string, std::string> preferred_precision;
};

Result<ModelManifest> parse_model_manifest(std::string_view json_text);
std::string serialize_model_manifest(const ModelManifest& manifest);
// The variant to load for a backend: the preferred one if present, else fp32,
// else any.
const ModelFile* pick_variant(const EncoderSpec& spec, const ModelManifest& m, const std::string& backend);

}  // namespace clip
