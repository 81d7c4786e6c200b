#include "tools/ort/tensor_buffer.h"

#include <cstring>

namespace clipsearch {

Ort::Value TensorBuffer::view() {
  static const Ort::MemoryInfo cpu = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
  return Ort::Value::CreateTensor(cpu, bytes.data(), bytes.size(), shape.data(), shape.size(), type);
}

TensorBuffer integer_tensor(const std::vector<int64_t>& values, std::vector<int64_t> shape, clip::TensorType type) {
  TensorBuffer t{{}, std::move(shape), ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64};
  if (type == clip::TensorType::int32) {
    t.type = ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32;
    std::vector<int32_t> v(values.begin(), values.end());
    t.bytes.resize(v.size() * 4);
    std::memcpy(t.bytes.data(), v.data(), t.bytes.size());
  } else {
    t.bytes.resize(values.size() * 8);
    std::memcpy(t.bytes.data(), values.data(), t.bytes.size());
  }
  return t;
}

// Pixels as the graph takes them: float32, or float16 for graphs exported
// without float32 inputs.
TensorBuffer float_tensor(const float* values, size_t n, std::vector<int64_t> shape, clip::TensorType type) {
  TensorBuffer t{{}, std::move(shape), ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT};
  if (type == clip::TensorType::float16) {
    t.type = ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16;
    t.bytes.resize(n * 2);
    for (size_t i = 0; i < n; ++i) {
      const uint16_t bits = Ort::Float16_t(values[i]).val;
      std::memcpy(t.bytes.data() + i * 2, &bits, 2);
    }
  } else {
    t.bytes.resize(n * 4);
    std::memcpy(t.bytes.data(), values, n * 4);
  }
  return t;
}

std::vector<float> tensor_floats(const Ort::Value& value) {
  auto info = value.GetTensorTypeAndShapeInfo();
  std::vector<float> out(info.GetElementCount());
  if (info.GetElementType() == ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16) {
    const auto* h = value.GetTensorData<Ort::Float16_t>();
    for (size_t i = 0; i < out.size(); ++i) out[i] = h[i].ToFloat();
  } else {
    std::memcpy(out.data(), value.GetTensorData<float>(), out.size() * sizeof(float));
  }
  return out;
}

}  // namespace clipsearch
