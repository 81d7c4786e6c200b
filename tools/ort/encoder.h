// One ONNX encoder graph (a CLIP text or vision tower) in an ORT session.
// It runs what it is given: the ids tensors ModelSpec::text_batches lays out,
// or preprocessed pixels. Whether the graph fits model.json is
// ModelSpec::check_*_graph's call, on signature().
#pragma once
#include <onnxruntime_cxx_api.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/model/model_spec.h"
#include "core/util/result.h"
#include "tools/ort/device.h"

namespace clipsearch {

struct EncoderConfig {
  std::string path;                      // .onnx file
  Device device = Device::Cpu;           // concrete, not Auto
  std::vector<std::string> input_names;  // model.json's, in its order (text: ids, then mask)
  std::string output_name;               // model.json's
  size_t max_rows = 0;                   // rows per run, 0 = any (ModelSpec::choose_variant)
  int intra_op_threads = 0;              // 0 = ORT's default
};

class Encoder {
 public:
  static clip::Result<std::unique_ptr<Encoder>> open(const EncoderConfig& cfg);

  // What the graph declares, for ModelSpec's checks.
  const clip::GraphSignature& signature() const { return signature_; }

  // One text batch; returns batch.rows.size() * dim floats, not normalised.
  clip::Result<std::vector<float>> run_text(const clip::TextBatch& batch);

  // `count` images of float32 NCHW [3, side, side]; count * dim floats.
  clip::Result<std::vector<float>> run_image(const float* pixels, size_t count, int side);

  const std::string& path() const { return cfg_.path; }
  size_t max_rows() const { return cfg_.max_rows; }
  Device device() const { return cfg_.device; }

 private:
  Encoder() = default;
  const clip::GraphPort& input(size_t i) const;
  clip::Result<std::vector<float>> run(std::vector<Ort::Value>& inputs, const std::vector<const char*>& names,
                                       size_t rows);

  EncoderConfig cfg_;
  std::unique_ptr<Ort::Session> session_;
  clip::GraphSignature signature_;
};

}  // namespace clipsearch
