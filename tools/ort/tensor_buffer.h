// Input tensors in the element type a graph declares: token ids and masks as
// int64 or int32, pixels as float32 or float16. The buffer owns the bytes
// until the run that reads them returns.
#pragma once
#include <onnxruntime_cxx_api.h>

#include <cstdint>
#include <vector>

#include "core/model/model_spec.h"

namespace clipsearch {

struct TensorBuffer {
  std::vector<uint8_t> bytes;
  std::vector<int64_t> shape;
  ONNXTensorElementDataType type;

  Ort::Value view();
};

TensorBuffer integer_tensor(const std::vector<int64_t>& values, std::vector<int64_t> shape, clip::TensorType type);
TensorBuffer float_tensor(const float* values, size_t n, std::vector<int64_t> shape, clip::TensorType type);

// An output tensor's values as float32 (float16 outputs widened).
std::vector<float> tensor_floats(const Ort::Value& value);

}  // namespace clipsearch
