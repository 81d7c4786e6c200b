// models/<name>/model.json: everything the CLI and the page need to run a
// CLIP model. One parser for native and wasm. Spec: docs/MODEL_MANIFEST.md.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/image/preprocess.h"
#include "core/util/result.h"

namespace clip {

// model.json larger than this is refused before parsing (real ones are ~2 KB).
constexpr size_t kMaxModelManifestBytes = 1 << 20;

struct ModelFile {
  std::string path;    // relative to the model folder, never leaving it
  std::string sha256;  // lowercase hex, "" when unknown
  uint64_t bytes = 0;  // 0 when unknown
};

struct EncoderSpec {
  // precision ("fp32", "fp16", "int8") -> file
  std::map<std::string, ModelFile> variants;
  std::vector<std::string> input_names;  // as read from the graph
  std::string output_name;               // "text_embeds" / "image_embeds"
};

// Where fetch-model got the files; informational, never used to load.
struct ModelSource {
  std::string catalog;      // catalog entry name, "" when fetched by URL
  std::string base_url;
  std::string revision;
  std::string fetched_utc;  // ISO 8601
  bool empty() const { return catalog.empty() && base_url.empty() && revision.empty() && fetched_utc.empty(); }
};

struct ModelManifest {
  uint32_t format = 1;
  std::string name;
  std::string fingerprint;  // compute_model_fingerprint(); changes with weights, tokenizer or preprocessing
  uint32_t embedding_dim = 0;
  float logit_scale = 100.0f;
  EncoderSpec text;
  EncoderSpec vision;
  std::string tokenizer_kind;  // "bpe_simple_vocab" | "vocab_merges" | "tokenizer_json"
  std::vector<ModelFile> tokenizer_files;  // in the order the kind's loader takes them
  uint32_t context_length = 77;
  PreprocessConfig image;                   // size, resample filter, mean, std: what images are preprocessed with
  std::string image_resize = "shortest_edge";
  std::string image_crop = "center";
  // backend ("webgpu", "wasm", "cpu", "cuda") -> preferred precision
  std::map<std::string, std::string> preferred_precision;
  // precision -> lowest cosine vs fp32 over fetch-model's check inputs
  std::map<std::string, float> agreement;
  ModelSource source;
};

// Every error names the field: "model.json: text.variants.fp32.bytes must be
// a non-negative integer". Unknown keys are ignored (newer writers).
Result<ModelManifest> parse_model_manifest(std::string_view json_text);
// Pretty-printed JSON that parse_model_manifest() reads back unchanged.
std::string serialize_model_manifest(const ModelManifest& manifest);
// The checks parse_model_manifest() applies, for writers that build a
// manifest in code. The fingerprint may still be empty here.
Status validate_model_manifest(const ModelManifest& manifest);

// A path inside model.json: relative, '/'-separated, no "." / ".." / empty
// components, no backslash, colon or control character, at most 1024 bytes.
// So a hostile manifest cannot make a reader open anything outside its folder.
Status check_model_path(std::string_view path);

// The variant to load for a backend: the preferred one if present, else fp32,
// else fp16, else int8. nullptr when the encoder has no variants.
const ModelFile* pick_variant(const EncoderSpec& spec, const ModelManifest& m, const std::string& backend);

// Fingerprint: lowercase hex SHA-256 of model_fingerprint_text(). Covers the
// reference weights of both encoders (fp32 when listed, else fp16, else int8:
// fp16/int8 files are quantisations of those weights, their embeddings are
// compatible, so they share it), the tokenizer files, context length,
// embedding dim and every image preprocessing parameter. Fails when a file it
// covers has no sha256. models/model_fingerprint.py is the same definition in
// Python (for the scripts that write model.json); keep them in step.
Result<std::string> model_fingerprint_text(const ModelManifest& manifest);
Result<std::string> compute_model_fingerprint(const ModelManifest& manifest);

}  // namespace clip
