// ModelSpec::check_text_graph / check_vision_graph: model.json's encoder
// contract against what ONNX Runtime reports for the real graph. Never a
// fallback ("the first output", "an input whose name contains ids"): a
// mismatch is an error that says what model.json says and what the graph has.
#include <algorithm>

#include "core/model/model_spec.h"

namespace clip {
namespace {

std::string list(const std::vector<std::string>& names) {
  std::string out = "[";
  for (size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + names[i];
  return out + "]";
}

std::vector<std::string> names_of(const std::vector<GraphPort>& ports) {
  std::vector<std::string> out;
  for (const GraphPort& p : ports) out.push_back(p.name);
  return out;
}

std::string shape_text(const std::vector<int64_t>& shape) {
  if (shape.empty()) return "of unknown shape";
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + (shape[i] > 0 ? std::to_string(shape[i]) : "?");
  return out + "]";
}

const GraphPort* find_port(const std::vector<GraphPort>& ports, const std::string& name) {
  for (const GraphPort& p : ports)
    if (p.name == name) return &p;
  return nullptr;
}

Error mismatch(std::string_view file, const std::string& what) { return make_error(std::string(file) + ": " + what); }

// Same input names (in any order) and the named output among the graph's.
Status check_names(const EncoderSpec& e, const GraphSignature& g, std::string_view file, const std::string& key) {
  std::vector<std::string> want = e.input_names, have = names_of(g.inputs);
  std::sort(want.begin(), want.end());
  std::sort(have.begin(), have.end());
  const bool outputs_ok = find_port(g.outputs, e.output_name) != nullptr;
  if (want == have && outputs_ok) return ok_status();
  return mismatch(file, "the graph does not match model.json: model.json's " + key + " names inputs " +
                            list(e.input_names) + " and output " + e.output_name + "; the graph has inputs " +
                            list(names_of(g.inputs)) + " and outputs " + list(names_of(g.outputs)));
}

Status check_embedding_output(const EncoderSpec& e, const GraphSignature& g, std::string_view file, uint32_t dim) {
  const GraphPort& out = *find_port(g.outputs, e.output_name);
  if (out.type != TensorType::float32 && out.type != TensorType::float16)
    return mismatch(file, "output '" + out.name + "' is " + tensor_type_name(out.type) +
                              " in the graph; model.json's embedding output must be float32 or float16");
  if (!out.shape.empty() && out.shape.size() != 2)
    return mismatch(file, "output '" + out.name + "' is " + shape_text(out.shape) +
                              " in the graph; model.json's embedding output must be [batch, " + std::to_string(dim) + "]");
  if (out.shape.size() == 2 && out.shape[1] > 0 && uint64_t(out.shape[1]) != dim)
    return mismatch(file, "output '" + out.name + "' is " + shape_text(out.shape) + " in the graph, but model.json says embedding_dim " +
                              std::to_string(dim));
  return ok_status();
}

}  // namespace

const char* tensor_type_name(TensorType type) {
  switch (type) {
    case TensorType::float32: return "float32";
    case TensorType::float16: return "float16";
    case TensorType::int64: return "int64";
    case TensorType::int32: return "int32";
    case TensorType::other: break;
  }
  return "another type";
}

TensorType tensor_type_from_name(std::string_view name) {
  if (name == "float32") return TensorType::float32;
  if (name == "float16") return TensorType::float16;
  if (name == "int64") return TensorType::int64;
  if (name == "int32") return TensorType::int32;
  return TensorType::other;
}

Status ModelSpec::check_text_graph(const TextTower& tower, const GraphSignature& g, std::string_view file) const {
  CLIP_TRY(check_names(tower.encoder, g, file, "text tower \"" + tower.language + "\""));
  const uint32_t context = tower.tokenizer.context_length;
  for (size_t i = 0; i < tower.encoder.input_names.size(); ++i) {
    const GraphPort& in = *find_port(g.inputs, tower.encoder.input_names[i]);
    const char* role = i == 0 ? "token ids" : "attention mask";
    if (in.type != TensorType::int64 && in.type != TensorType::int32)
      return mismatch(file, "input '" + in.name + "' is " + tensor_type_name(in.type) + " in the graph; model.json feeds it " +
                                role + " (int64 or int32)");
    if (!in.shape.empty() && in.shape.size() != 2)
      return mismatch(file, "input '" + in.name + "' is " + shape_text(in.shape) + " in the graph; model.json feeds " + role +
                                " as [batch, sequence]");
    const int64_t seq = in.shape.size() == 2 ? in.shape[1] : -1;
    if (tower.input.length == TextLength::variable && seq > 0)
      return mismatch(file, "model.json says the " + tower.language + " text input has variable length (up to " +
                                std::to_string(context) + " ids), but the graph's input '" + in.name + "' takes exactly " +
                                std::to_string(seq) + " (set text.input.length to \"fixed\" if it was trained so)");
    if (tower.input.length == TextLength::fixed && seq > 0 && uint64_t(seq) != context)
      return mismatch(file, "model.json says the " + tower.language + " text input is fixed at " + std::to_string(context) +
                                " ids, but the graph's input '" + in.name + "' takes " + std::to_string(seq));
  }
  return check_embedding_output(tower.encoder, g, file, m_.embedding_dim);
}

Status ModelSpec::check_vision_graph(const GraphSignature& g, std::string_view file) const {
  CLIP_TRY(check_names(m_.vision, g, file, "vision"));
  const GraphPort& in = *find_port(g.inputs, m_.vision.input_names[0]);
  if (in.type != TensorType::float32 && in.type != TensorType::float16)
    return mismatch(file, "input '" + in.name + "' is " + tensor_type_name(in.type) +
                              " in the graph; model.json feeds it pixels (float32 or float16)");
  const int64_t size = m_.image.size;
  const std::vector<int64_t> want = {-1, 3, size, size};
  bool fits = in.shape.empty() || in.shape.size() == 4;
  for (size_t axis = 1; fits && !in.shape.empty() && axis < 4; ++axis)
    fits = in.shape[axis] <= 0 || in.shape[axis] == want[axis];
  if (!fits)
    return mismatch(file, "model.json says images are " + std::to_string(size) + "x" + std::to_string(size) +
                              " RGB, [batch, 3, " + std::to_string(size) + ", " + std::to_string(size) +
                              "], but the graph's input '" + in.name + "' is " + shape_text(in.shape));
  return check_embedding_output(m_.vision, g, file, m_.embedding_dim);
}

}  // namespace clip
