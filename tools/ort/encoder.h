// One ONNX encoder graph (CLIP text or vision) in an ORT session. Input and
// output names come from the graph and are checked against model.json.
#pragma once
#include <onnxruntime_cxx_api.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/util/result.h"
#include "tools/ort/device.h"

namespace clipsearch {

struct EncoderConfig {
  std::string path;                         // .onnx file
  Device device = Device::Cpu;              // concrete, not Auto
  std::vector<std::string> expected_inputs; // from model.json; empty = no check
  std::string output_name;                  // from model.json
  int intra_op_threads = 0;                 // 0 = ORT's default
};

class Encoder {
 public:
  static clip::Result<std::unique_ptr<Encoder>> open(const EncoderConfig& cfg);

  // Text graph: sequences of token ids (start and end included). Sequences of
  // unequal length are padded with `pad_id` (and masked when the graph takes
  // an attention mask); a graph with a fixed sequence length gets exactly
  // that. Returns rows * dim floats, not normalised.
  clip::Result<std::vector<float>> run_text(const std::vector<std::vector<int32_t>>& rows, int32_t pad_id);

  // Vision graph: `batch` images of float32 NCHW [3, side, side].
  clip::Result<std::vector<float>> run_image(const float* pixels, size_t batch, int side);

  size_t dim() const { return dim_; }
  const std::string& path() const { return path_; }
  Device device() const { return device_; }

 private:
  struct Input {
    std::string name;
    ONNXTensorElementDataType type;
    std::vector<int64_t> shape;  // -1 where dynamic
  };
  Encoder() = default;
  clip::Result<std::vector<float>> run(std::vector<Ort::Value>& inputs, const std::vector<const char*>& names,
                                       size_t rows);

  std::unique_ptr<Ort::Session> session_;
  std::vector<Input> inputs_;
  std::string output_name_;
  ONNXTensorElementDataType output_type_ = ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT;
  size_t dim_ = 0;
  std::string path_;
  Device device_ = Device::Cpu;
};

}  // namespace clipsearch
