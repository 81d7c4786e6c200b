// A CLIP model folder (models/<name>/model.json + tokenizers + ONNX graphs)
// ready to embed texts and preprocessed images. Every decision (tokenizer,
// text input, graph contract, precision) is the core ModelSpec's; this class
// reads files and runs sessions. Sessions and tokenizers open on first use,
// so commands that only tokenize never load a graph.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/model_spec.h"
#include "core/text/text_tokenizer.h"
#include "core/util/result.h"
#include "tools/ort/device.h"
#include "tools/ort/encoder.h"

namespace clipsearch {

class ClipModel {
 public:
  // Reads and validates model.json.
  static clip::Result<ClipModel> load(const std::string& dir);

  const std::string& dir() const { return dir_; }
  const clip::ModelSpec& spec() const { return spec_; }
  const clip::ModelManifest& manifest() const { return spec_.manifest(); }
  // The manifest's image preprocessing, resample filter included.
  const clip::PreprocessConfig& image_config() const { return spec_.image(); }

  // The tokenizer of a language's text tower ("" = the primary tower).
  clip::Result<const clip::TextTokenizer*> tokenizer(std::string_view language = "");
  // Token ids per text, as the tower's tokenizer gives them (no padding).
  clip::Result<std::vector<std::vector<int32_t>>> tokenize(const std::vector<std::string>& texts,
                                                           std::string_view language = "");

  // Device for the sessions opened after this call (Auto is resolved here).
  clip::Status set_device(Device requested);
  Device device() const { return device_; }
  void set_intra_op_threads(int n) { intra_op_threads_ = n; }
  // Every encoder opened after this call loads this precision instead of the
  // device's choice (fetch-model compares precisions); "" = the choice.
  void force_precision(std::string precision);

  // The file embed_texts() runs for a language's tower on the current
  // device and precision (without opening it).
  clip::Result<std::string> text_encoder_file(std::string_view language = "") const;

  // L2-normalised embeddings, rows * embedding_dim floats.
  clip::Result<std::vector<float>> embed_texts(const std::vector<std::string>& texts, std::string_view language = "");
  clip::Result<std::vector<float>> embed_token_rows(const std::vector<std::vector<int32_t>>& rows,
                                                    std::string_view language = "");
  // `pixels`: `count` preprocessed images, float32 NCHW [3, size, size].
  clip::Result<std::vector<float>> embed_images(const float* pixels, size_t count);

  // Opens the vision session now (so its cost is not counted as encoding).
  clip::Status open_vision();

  ClipModel(ClipModel&&) noexcept;
  ClipModel& operator=(ClipModel&&) noexcept;
  ~ClipModel();

 private:
  explicit ClipModel(clip::ModelSpec spec) : spec_(std::move(spec)) {}
  // The file of `spec` for this device and precision.
  clip::Result<clip::EncoderChoice> choose(const clip::EncoderSpec& spec) const;
  clip::Result<std::string> encoder_file(const clip::EncoderSpec& spec) const;
  clip::Result<std::unique_ptr<Encoder>> open_encoder(const clip::EncoderSpec& spec);
  clip::Result<Encoder*> text_encoder(const clip::TextTower& tower);

  std::string dir_;
  clip::ModelSpec spec_;
  std::map<std::string, std::unique_ptr<clip::TextTokenizer>> tokenizers_;  // by language
  Device device_ = Device::Cpu;
  int intra_op_threads_ = 0;
  std::string forced_precision_;
  std::map<std::string, std::unique_ptr<Encoder>> text_;  // by language
  std::unique_ptr<Encoder> vision_;
};

}  // namespace clipsearch
