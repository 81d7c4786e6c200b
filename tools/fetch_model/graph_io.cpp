#include "tools/fetch_model/graph_io.h"

#include <onnxruntime_cxx_api.h>

#include "tools/ort/ort_env.h"

namespace clipsearch {

clip::Result<GraphIo> read_graph_io(const std::string& onnx_path) {
  GraphIo io;
  try {
    Ort::SessionOptions options;
    // Only the signature is wanted: skip the optimisation passes.
    options.SetGraphOptimizationLevel(GraphOptimizationLevel::ORT_DISABLE_ALL);
    options.SetIntraOpNumThreads(1);
    Ort::Session session(ort_env(), onnx_path.c_str(), options);
    Ort::AllocatorWithDefaultOptions alloc;
    for (size_t i = 0; i < session.GetInputCount(); ++i) {
      io.inputs.emplace_back(session.GetInputNameAllocated(i, alloc).get());
      auto type = session.GetInputTypeInfo(i);
      if (type.GetONNXType() == ONNX_TYPE_TENSOR)
        io.input_shapes.push_back(type.GetTensorTypeAndShapeInfo().GetShape());
      else
        io.input_shapes.emplace_back();
    }
    for (size_t i = 0; i < session.GetOutputCount(); ++i) {
      io.outputs.emplace_back(session.GetOutputNameAllocated(i, alloc).get());
      auto type = session.GetOutputTypeInfo(i);
      if (type.GetONNXType() == ONNX_TYPE_TENSOR)
        io.output_shapes.push_back(type.GetTensorTypeAndShapeInfo().GetShape());
      else
        io.output_shapes.emplace_back();
    }
  } catch (const Ort::Exception& e) {
    std::string what = e.what();
    for (char& c : what)
      if (c == '\n' || c == '\r') c = ' ';
    return clip::make_error(onnx_path + ": not a loadable ONNX graph: " + what);
  }
  if (io.inputs.empty() || io.outputs.empty())
    return clip::make_error(onnx_path + ": the graph has no inputs or no outputs");
  return io;
}

clip::Result<std::string> embedding_output(const GraphIo& io, const std::string& preferred, const std::string& path) {
  for (const auto& name : io.outputs)
    if (name == preferred) return name;
  if (io.outputs.size() == 1) return io.outputs[0];
  std::string list;
  for (const auto& name : io.outputs) list += (list.empty() ? "" : ", ") + name;
  return clip::make_error(path + ": no output named " + preferred + " and more than one to choose from (" + list + ")");
}

uint32_t static_embedding_dim(const GraphIo& io, const std::string& output) {
  for (size_t i = 0; i < io.outputs.size(); ++i) {
    if (io.outputs[i] != output) continue;
    const auto& shape = io.output_shapes[i];
    if (shape.size() == 2 && shape[1] > 0 && shape[1] <= 65536) return uint32_t(shape[1]);
  }
  return 0;
}

clip::Status check_image_side(const GraphIo& io, int side, const std::string& path) {
  for (size_t i = 0; i < io.inputs.size(); ++i) {
    const auto& shape = io.input_shapes[i];
    if (shape.size() != 4) continue;
    for (int axis : {2, 3})
      if (shape[size_t(axis)] > 0 && shape[size_t(axis)] != side)
        return clip::make_error(path + ": input " + io.inputs[i] + " takes " + std::to_string(shape[2]) + "x" +
                                std::to_string(shape[3]) + " pixels but the image size is " + std::to_string(side));
  }
  return clip::ok_status();
}

}  // namespace clipsearch
