// A CLIP model folder (models/<name>/model.json + tokenizer + two ONNX
// graphs) ready to embed texts and preprocessed images. Sessions open on
// first use, so commands that only tokenize never load a graph.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/model/model_manifest.h"
#include "core/text/clip_tokenizer.h"
#include "core/util/result.h"
#include "tools/ort/device.h"
#include "tools/ort/encoder.h"

namespace clipsearch {

class ClipModel {
 public:
  // Reads model.json and the tokenizer; checks the graph files exist.
  static clip::Result<ClipModel> load(const std::string& dir);

  const std::string& dir() const { return dir_; }
  const clip::ModelManifest& manifest() const { return manifest_; }
  const clip::ClipTokenizer& tokenizer() const { return *tokenizer_; }
  // The manifest's image preprocessing, resample filter included.
  const clip::PreprocessConfig& image_config() const { return manifest_.image; }

  // Device for the sessions opened after this call (Auto is resolved here).
  clip::Status set_device(Device requested);
  Device device() const { return device_; }
  void set_intra_op_threads(int n) { intra_op_threads_ = n; }

  // L2-normalised embeddings, rows * embedding_dim floats.
  clip::Result<std::vector<float>> embed_texts(const std::vector<std::string>& texts);
  clip::Result<std::vector<float>> embed_token_rows(const std::vector<std::vector<int32_t>>& rows);
  // `pixels`: `count` preprocessed images, float32 NCHW [3, size, size].
  clip::Result<std::vector<float>> embed_images(const float* pixels, size_t count);

  // Opens the vision session now (so its cost is not counted as encoding).
  clip::Status open_vision() { return open(vision_, manifest_.vision, "vision"); }

  ClipModel(ClipModel&&) noexcept;
  ClipModel& operator=(ClipModel&&) noexcept;
  ~ClipModel();

 private:
  ClipModel() = default;
  clip::Status open(std::unique_ptr<Encoder>& slot, const clip::EncoderSpec& spec, const char* what);

  std::string dir_;
  clip::ModelManifest manifest_;
  std::unique_ptr<clip::ClipTokenizer> tokenizer_;
  Device device_ = Device::Cpu;
  int intra_op_threads_ = 0;
  std::unique_ptr<Encoder> text_, vision_;
};

}  // namespace clipsearch
