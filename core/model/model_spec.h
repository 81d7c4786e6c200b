// ModelSpec: every decision about running a model that model.json settles,
// made once for the CLI (tools/ort) and the page (wasm, web/js/worker):
//   * which text tower serves a language, and which tokenizer it uses;
//   * the text input contract: the exact ids tensor a text becomes;
//   * the encoder input/output contract, checked against the real graph;
//   * the precision (file) each backend loads, and how many rows a run takes;
//   * whether an index's vectors fit this model.
// Runtimes read graphs and run sessions; they decide none of this.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/index/index.h"
#include "core/model/model_manifest.h"
#include "core/text/text_tokenizer.h"
#include "core/util/result.h"

namespace clip {

// ---- graphs as a runtime sees them ----------------------------------------

enum class TensorType { float32, float16, int64, int32, other };
const char* tensor_type_name(TensorType type);                     // "float32", ...
TensorType tensor_type_from_name(std::string_view ort_web_name);   // ORT Web's names: "float32", "int64", ...

struct GraphPort {
  std::string name;
  TensorType type = TensorType::other;
  std::vector<int64_t> shape;  // -1 where dynamic (symbolic); empty when the rank is unknown
};

// What ONNX Runtime reports for an opened graph (names, types, shapes).
struct GraphSignature {
  std::vector<GraphPort> inputs;
  std::vector<GraphPort> outputs;
};

// ---- text input -----------------------------------------------------------

// One run of a text graph: rows of ids laid out as the contract says.
struct TextBatch {
  std::vector<size_t> rows;     // which of the caller's rows, in order; batch may be larger (filler rows)
  int64_t batch = 0;            // tensor shape [batch, sequence]
  int64_t sequence = 0;
  std::vector<int64_t> ids;     // batch * sequence
  std::vector<int64_t> mask;    // batch * sequence: 1 on a text's ids, 0 on padding and filler rows
};

// ---- choices --------------------------------------------------------------

// The file a backend loads for one encoder.
struct EncoderChoice {
  std::string precision;  // "fp32" | "fp16" | "int8"
  ModelFile file;
  // Rows per run; 0 = any. Dynamically quantised int8 graphs quantise each
  // activation tensor with one scale computed over the whole batch
  // (DynamicQuantizeLinear), so a row's embedding depends on the other rows:
  // they run one row at a time, and a text or image embeds the same alone
  // or in a batch.
  size_t max_rows = 0;
};

class ModelSpec {
 public:
  // Parses and validates model.json.
  static Result<ModelSpec> parse(std::string_view json_text);
  // From a manifest built in code; validates it.
  static Result<ModelSpec> from_manifest(ModelManifest manifest);

  const ModelManifest& manifest() const { return m_; }
  const std::string& name() const { return m_.name; }
  uint32_t embedding_dim() const { return m_.embedding_dim; }
  const PreprocessConfig& image() const { return m_.image; }

  // The tower for a language tag ("en", "zh"); "" is the primary tower. An
  // unknown language is an error listing the ones this model has.
  Result<const TextTower*> text_tower(std::string_view language) const;
  std::vector<std::string> languages() const;  // primary first

  // The tower's tokenizer, from its files' contents in model.json's order.
  Result<std::unique_ptr<TextTokenizer>> make_tokenizer(const TextTower& tower,
                                                        const std::vector<std::string>& file_texts) const;

  // Token id rows (start and end included, as the tokenizer gives them) as
  // the graph must get them. Fixed length: every row padded with pad_id to
  // context_length. Variable length: rows of equal length run together and
  // nothing is padded, so a text embeds as it would alone. `graph` is the
  // text graph's signature (checked by check_text_graph): a static batch
  // size there is filled with pad-only rows. `max_rows` 0 = no limit.
  Result<std::vector<TextBatch>> text_batches(const TextTower& tower, const std::vector<std::vector<int32_t>>& rows,
                                              const GraphSignature& graph, size_t max_rows = 0) const;

  // The graph's real inputs and outputs against model.json: same input
  // names, the named output present, integer ids / float pixels, lengths
  // and sizes the contract allows, the embedding width. On a mismatch the
  // error names what model.json says and what the graph has, starting with
  // `file` (the path model.json gives): the same words in the CLI and page.
  Status check_text_graph(const TextTower& tower, const GraphSignature& graph, std::string_view file) const;
  Status check_vision_graph(const GraphSignature& graph, std::string_view file) const;

  // The file `backend` ("webgpu", "wasm", "cpu", "cuda") loads for an
  // encoder: model.json's preferred precision for it when listed, else the
  // most precise listed (fp32, fp16, int8). A device without float16
  // arithmetic (`half_precision` false: a WebGPU adapter without shader-f16)
  // takes fp32, else int8, before an fp16 file.
  Result<EncoderChoice> choose_variant(const EncoderSpec& encoder, std::string_view backend,
                                       bool half_precision = true) const;
  // The encoder's file of one precision ("fp32", "fp16", "int8"), with the
  // rows it may run at once: an error naming the precisions it has.
  Result<EncoderChoice> variant(const EncoderSpec& encoder, std::string_view precision) const;

  // What an index checks a model against (Index::check_model): name,
  // fingerprint, dim and the fingerprints it also accepts.
  ModelIdentity identity() const;

 private:
  explicit ModelSpec(ModelManifest m) : m_(std::move(m)) {}
  ModelManifest m_;
};

// What an index checks a model against: name, fingerprint, dim and the
// fingerprints it also accepts (ModelSpec::identity()).
ModelIdentity model_identity(const ModelManifest& manifest);

// The preferred precision per backend for a model that names none: WebGPU
// and CUDA fp16 (int8's MatMulInteger falls back to the CPU under WebGPU),
// WASM int8 (smallest, fast integer kernels), the native CPU fp32; each
// takes the first in its order that every encoder has.
std::map<std::string, std::string> default_preferred_precision(const ModelManifest& manifest);

}  // namespace clip
