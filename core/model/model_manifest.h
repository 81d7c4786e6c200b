// models/<name>/model.json: everything the CLI and the page need to run a
// CLIP model. One parser for native and wasm. Spec: docs/MODEL_MANIFEST.md.
// The decisions built on it (tokenizer, text input, graph contract,
// precision, index compatibility) live in model_spec.h.
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
// Text towers one model.json may hold (the primary one included).
constexpr size_t kMaxTextTowers = 16;

struct ModelFile {
  std::string path;    // relative to the model folder, never leaving it
  std::string sha256;  // lowercase hex, "" when unknown
  uint64_t bytes = 0;  // 0 when unknown
};

struct EncoderSpec {
  // precision ("fp32", "fp16", "int8") -> file
  std::map<std::string, ModelFile> variants;
  // As read from the graph. Text: [token ids] or [token ids, attention mask],
  // in that order; vision: [pixels].
  std::vector<std::string> input_names;
  std::string output_name;  // "text_embeds" / "image_embeds"
};

struct TokenizerSpec {
  std::string kind;              // a kind tokenizer_factory.h knows: "bpe_simple_vocab", "vocab_merges", ...
  std::vector<ModelFile> files;  // in the order the kind's loader takes them
  uint32_t context_length = 77;  // ids per text, start and end tokens included
};

// How the text graph wants its ids (docs/MODEL_MANIFEST.md, "Text input").
enum class TextLength {
  variable,  // any length up to context_length; a text is fed unpadded
  fixed,     // exactly context_length ids, the rest pad_id
};
// Where the graph takes the text's embedding from. The runtime feeds ids the
// same way for each; the pooling says which padding could change the result.
enum class TextPooling {
  argmax,  // at argmax(input_ids), the end token (OpenAI CLIP, MobileCLIP)
  first,   // at the first token, [CLS] (BERT-style towers, Chinese-CLIP)
  none,    // the graph's output does not depend on one position
};

struct TextInputSpec {
  TextLength length = TextLength::variable;
  int32_t pad_id = 49407;  // CLIP's end token: what Hugging Face pads OpenAI CLIP with
  TextPooling pooling = TextPooling::argmax;
};

// One text encoder with its tokenizer, mapping one language's text into the
// vision tower's embedding space.
struct TextTower {
  std::string language = "en";  // BCP 47-like tag: "en", "zh", "zh-hant"
  EncoderSpec encoder;
  TokenizerSpec tokenizer;
  TextInputSpec input;
  // Token ids seen in this tower's training texts, when known (sorted,
  // unique); empty = unknown. Lets a page say which query words the model
  // never saw.
  std::vector<int32_t> trained_token_ids;
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
  // compute_model_fingerprint(): the vision tower and the image settings,
  // i.e. what decides an index's vectors. Text towers are not part of it.
  std::string fingerprint;
  // Earlier fingerprints of this same image side that indexes may record
  // (fingerprint format 1 also covered the text tower), docs/MODEL_MANIFEST.md.
  std::vector<std::string> accepted_fingerprints;
  uint32_t embedding_dim = 0;
  float logit_scale = 100.0f;
  // [0] is the primary tower (model.json's "text" + "tokenizer"); the rest
  // come from "text_towers", one language each.
  std::vector<TextTower> text_towers;
  EncoderSpec vision;
  PreprocessConfig image;                   // size, resize rule, resample filter, mean, std
  // backend ("webgpu", "wasm", "cpu", "cuda") -> preferred precision
  std::map<std::string, std::string> preferred_precision;
  // precision -> lowest cosine vs fp32 over fetch-model's check inputs
  std::map<std::string, float> agreement;
  ModelSource source;

  // The primary text tower. Valid manifests always have one.
  const TextTower& text() const { return text_towers.front(); }
  TextTower& text() { return text_towers.front(); }
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

// Names as model.json writes them.
const char* text_length_name(TextLength length);    // "variable" | "fixed"
const char* text_pooling_name(TextPooling pooling);  // "argmax" | "first" | "none"

// Fingerprint (format 2): lowercase hex SHA-256 of model_fingerprint_text().
// Covers the vision tower's reference weights (fp32 when listed, else fp16,
// else int8: quantisations of the same weights, so all precisions share it),
// the embedding dim and every image preprocessing parameter: what an index's
// vectors depend on. Adding or retraining a text tower (into the same locked
// image space) keeps it. Fails when the vision file has no sha256.
// models/model_fingerprint.py is the same definition in Python; keep them in
// step.
Result<std::string> model_fingerprint_text(const ModelManifest& manifest);
Result<std::string> compute_model_fingerprint(const ModelManifest& manifest);

// Fingerprint format 1, which indexes built before format 2 record: it also
// covered the primary text tower, its tokenizer files and context length.
Result<std::string> legacy_fingerprint_v1_text(const ModelManifest& manifest);
Result<std::string> compute_legacy_fingerprint_v1(const ModelManifest& manifest);

// For writers: sets `fingerprint` and adds the format-1 fingerprint of the
// current contents to `accepted_fingerprints` (once), so indexes built with
// this very model before format 2 stay searchable. Earlier entries are kept.
Status complete_fingerprints(ModelManifest* manifest);

}  // namespace clip
