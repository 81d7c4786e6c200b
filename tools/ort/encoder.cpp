#include "tools/ort/encoder.h"

#include <algorithm>
#include <cstring>

#include "tools/ort/graph_signature.h"
#include "tools/ort/ort_env.h"
#include "tools/ort/tensor_buffer.h"

namespace clipsearch {

namespace {

std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

}  // namespace

clip::Result<std::unique_ptr<Encoder>> Encoder::open(const EncoderConfig& cfg) {
  if (cfg.device == Device::Auto) return clip::make_error("Encoder::open: resolve the device first");
  std::unique_ptr<Encoder> enc(new Encoder());
  enc->cfg_ = cfg;
  try {
    Ort::SessionOptions options;
    if (cfg.intra_op_threads > 0) options.SetIntraOpNumThreads(cfg.intra_op_threads);
    options.SetGraphOptimizationLevel(GraphOptimizationLevel::ORT_ENABLE_ALL);
    CLIP_TRY(append_provider(cfg.device, options));
    enc->session_ = std::make_unique<Ort::Session>(ort_env(), cfg.path.c_str(), options);
    enc->signature_ = read_graph_signature(*enc->session_);
  } catch (const Ort::Exception& e) {
    return clip::make_error(cfg.path + ": cannot open on " + device_name(cfg.device) + ": " + one_line(e.what()));
  }
  return enc;
}

const clip::GraphPort& Encoder::input(size_t i) const {
  for (const auto& p : signature_.inputs)
    if (p.name == cfg_.input_names[i]) return p;
  return signature_.inputs.at(i);  // unreachable once ModelSpec checked the signature
}

clip::Result<std::vector<float>> Encoder::run(std::vector<Ort::Value>& inputs, const std::vector<const char*>& names,
                                              size_t rows) {
  const char* out_name = cfg_.output_name.c_str();
  try {
    auto outputs = session_->Run(Ort::RunOptions{nullptr}, names.data(), inputs.data(), inputs.size(), &out_name, 1);
    auto info = outputs[0].GetTensorTypeAndShapeInfo();
    const auto shape = info.GetShape();
    if (shape.size() != 2 || shape[0] < int64_t(rows) || shape[1] <= 0)
      return clip::make_error(cfg_.path + ": output '" + cfg_.output_name + "' has an unexpected shape (want [batch, dim])");
    std::vector<float> out = tensor_floats(outputs[0]);
    out.resize(rows * size_t(shape[1]));  // the caller's rows, not filler rows
    return out;
  } catch (const Ort::Exception& e) {
    return clip::make_error(cfg_.path + ": inference failed on " + device_name(cfg_.device) + ": " + one_line(e.what()));
  }
}

clip::Result<std::vector<float>> Encoder::run_text(const clip::TextBatch& batch) {
  if (batch.rows.empty()) return std::vector<float>{};
  const std::vector<int64_t> shape{batch.batch, batch.sequence};
  std::vector<TensorBuffer> buffers{integer_tensor(batch.ids, shape, input(0).type)};
  std::vector<const char*> names{cfg_.input_names[0].c_str()};
  if (cfg_.input_names.size() > 1) {
    buffers.push_back(integer_tensor(batch.mask, shape, input(1).type));
    names.push_back(cfg_.input_names[1].c_str());
  }
  std::vector<Ort::Value> values;
  for (auto& t : buffers) values.push_back(t.view());
  return run(values, names, batch.rows.size());
}

clip::Result<std::vector<float>> Encoder::run_image(const float* pixels, size_t count, int side) {
  const clip::GraphPort& in = input(0);
  const int64_t graph_batch = !in.shape.empty() && in.shape[0] > 0 ? in.shape[0] : -1;
  size_t chunk = cfg_.max_rows > 0 ? cfg_.max_rows : std::max<size_t>(count, 1);
  if (graph_batch > 0) chunk = std::min(chunk, size_t(graph_batch));
  const size_t per_image = size_t(3) * side * side;

  std::vector<float> out;
  std::vector<float> padded;
  for (size_t first = 0; first < count; first += chunk) {
    const size_t n = std::min(chunk, count - first);
    const size_t b = graph_batch > 0 ? size_t(graph_batch) : n;
    const float* src = pixels + first * per_image;
    if (b != n) {  // a fixed batch is filled with zero images
      padded.assign(b * per_image, 0.0f);
      std::memcpy(padded.data(), src, n * per_image * sizeof(float));
      src = padded.data();
    }
    TensorBuffer t = float_tensor(src, b * per_image, {int64_t(b), 3, side, side}, in.type);
    std::vector<Ort::Value> values;
    values.push_back(t.view());
    auto part = run(values, {cfg_.input_names[0].c_str()}, n);
    CLIP_TRY(part);
    out.insert(out.end(), part->begin(), part->end());
  }
  return out;
}

}  // namespace clipsearch
