#include "tools/ort/graph_signature.h"

namespace clipsearch {
namespace {

clip::TensorType core_type(ONNXTensorElementDataType t) {
  switch (t) {
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT: return clip::TensorType::float32;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16: return clip::TensorType::float16;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64: return clip::TensorType::int64;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32: return clip::TensorType::int32;
    default: return clip::TensorType::other;
  }
}

clip::GraphPort port(std::string name, const Ort::TypeInfo& type) {
  clip::GraphPort p;
  p.name = std::move(name);
  if (type.GetONNXType() != ONNX_TYPE_TENSOR) return p;
  // The shape info views the type info, which outlives it here.
  auto info = type.GetTensorTypeAndShapeInfo();
  p.type = core_type(info.GetElementType());
  p.shape = info.GetShape();
  for (int64_t& d : p.shape)
    if (d <= 0) d = -1;
  return p;
}

}  // namespace

clip::GraphSignature read_graph_signature(const Ort::Session& session) {
  Ort::AllocatorWithDefaultOptions alloc;
  clip::GraphSignature g;
  for (size_t i = 0; i < session.GetInputCount(); ++i)
    g.inputs.push_back(port(session.GetInputNameAllocated(i, alloc).get(), session.GetInputTypeInfo(i)));
  for (size_t i = 0; i < session.GetOutputCount(); ++i)
    g.outputs.push_back(port(session.GetOutputNameAllocated(i, alloc).get(), session.GetOutputTypeInfo(i)));
  return g;
}

}  // namespace clipsearch
