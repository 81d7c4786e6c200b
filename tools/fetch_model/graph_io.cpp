#include "tools/fetch_model/graph_io.h"

#include <onnxruntime_cxx_api.h>

#include "tools/ort/graph_signature.h"
#include "tools/ort/ort_env.h"

namespace clipsearch {

clip::Result<clip::GraphSignature> read_graph_file_signature(const std::string& onnx_path) {
  clip::GraphSignature g;
  try {
    Ort::SessionOptions options;
    // Only the signature is wanted: skip the optimisation passes.
    options.SetGraphOptimizationLevel(GraphOptimizationLevel::ORT_DISABLE_ALL);
    options.SetIntraOpNumThreads(1);
    Ort::Session session(ort_env(), onnx_path.c_str(), options);
    g = read_graph_signature(session);
  } catch (const Ort::Exception& e) {
    std::string what = e.what();
    for (char& c : what)
      if (c == '\n' || c == '\r') c = ' ';
    return clip::make_error(onnx_path + ": not a loadable ONNX graph: " + what);
  }
  if (g.inputs.empty() || g.outputs.empty())
    return clip::make_error(onnx_path + ": the graph has no inputs or no outputs");
  return g;
}

clip::Status discover_encoder_names(const clip::GraphSignature& graph, const std::string& preferred,
                                    const std::string& path, clip::EncoderSpec* encoder) {
  std::string output;
  std::string list;
  for (const auto& p : graph.outputs) {
    if (p.name == preferred) output = p.name;
    list += (list.empty() ? "" : ", ") + p.name;
  }
  if (output.empty() && graph.outputs.size() == 1) output = graph.outputs[0].name;
  if (output.empty())
    return clip::make_error(path + ": no output named " + preferred + " and more than one to choose from (" + list + ")");
  // model.json lists a text graph's token ids first, its attention mask after.
  encoder->input_names.clear();
  for (bool masks : {false, true})
    for (const auto& p : graph.inputs)
      if ((p.name.find("mask") != std::string::npos) == masks) encoder->input_names.push_back(p.name);
  encoder->output_name = output;
  return clip::ok_status();
}

uint32_t static_embedding_dim(const clip::GraphSignature& graph, const std::string& output) {
  for (const auto& p : graph.outputs)
    if (p.name == output && p.shape.size() == 2 && p.shape[1] > 0 && p.shape[1] <= 65536) return uint32_t(p.shape[1]);
  return 0;
}

}  // namespace clipsearch
