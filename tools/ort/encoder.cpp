#include "tools/ort/encoder.h"

#include <algorithm>
#include <cstring>

#include "tools/ort/ort_env.h"

namespace clipsearch {

namespace {

const char* type_name(ONNXTensorElementDataType t) {
  switch (t) {
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT: return "float32";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16: return "float16";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64: return "int64";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32: return "int32";
    default: return "unsupported type";
  }
}

std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

bool is_mask_name(const std::string& name) { return name.find("mask") != std::string::npos; }

// Owns the bytes behind an input tensor until Run() returns.
struct TensorBuffer {
  std::vector<uint8_t> bytes;
  std::vector<int64_t> shape;
  ONNXTensorElementDataType type;

  Ort::Value view() {
    static const Ort::MemoryInfo cpu = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
    return Ort::Value::CreateTensor(cpu, bytes.data(), bytes.size(), shape.data(), shape.size(), type);
  }
};

TensorBuffer integer_tensor(const std::vector<int64_t>& values, std::vector<int64_t> shape,
                            ONNXTensorElementDataType type) {
  TensorBuffer t{{}, std::move(shape), type};
  if (type == ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32) {
    std::vector<int32_t> v(values.begin(), values.end());
    t.bytes.resize(v.size() * 4);
    std::memcpy(t.bytes.data(), v.data(), t.bytes.size());
  } else {
    t.bytes.resize(values.size() * 8);
    std::memcpy(t.bytes.data(), values.data(), t.bytes.size());
  }
  return t;
}

TensorBuffer float_tensor(const float* values, size_t n, std::vector<int64_t> shape, ONNXTensorElementDataType type) {
  TensorBuffer t{{}, std::move(shape), type};
  if (type == ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16) {
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

}  // namespace

clip::Result<std::unique_ptr<Encoder>> Encoder::open(const EncoderConfig& cfg) {
  if (cfg.device == Device::Auto) return clip::make_error("Encoder::open: resolve the device first");
  std::unique_ptr<Encoder> enc(new Encoder());
  enc->path_ = cfg.path;
  enc->device_ = cfg.device;
  enc->output_name_ = cfg.output_name;
  try {
    Ort::SessionOptions options;
    if (cfg.intra_op_threads > 0) options.SetIntraOpNumThreads(cfg.intra_op_threads);
    options.SetGraphOptimizationLevel(GraphOptimizationLevel::ORT_ENABLE_ALL);
    if (auto s = append_provider(cfg.device, options); !s.ok()) return s.error();
    enc->session_ = std::make_unique<Ort::Session>(ort_env(), cfg.path.c_str(), options);

    Ort::AllocatorWithDefaultOptions alloc;
    for (size_t i = 0; i < enc->session_->GetInputCount(); ++i) {
      Input in;
      in.name = enc->session_->GetInputNameAllocated(i, alloc).get();
      // The shape info views the type info: keep that alive while reading.
      const Ort::TypeInfo type = enc->session_->GetInputTypeInfo(i);
      auto info = type.GetTensorTypeAndShapeInfo();
      in.type = info.GetElementType();
      in.shape = info.GetShape();
      enc->inputs_.push_back(std::move(in));
    }
    bool found = false;
    std::string outputs;
    for (size_t i = 0; i < enc->session_->GetOutputCount(); ++i) {
      std::string name = enc->session_->GetOutputNameAllocated(i, alloc).get();
      outputs += (outputs.empty() ? "" : ", ") + name;
      if (name != cfg.output_name) continue;
      const Ort::TypeInfo type = enc->session_->GetOutputTypeInfo(i);
      auto info = type.GetTensorTypeAndShapeInfo();
      enc->output_type_ = info.GetElementType();
      const auto shape = info.GetShape();
      if (shape.size() == 2 && shape[1] > 0) enc->dim_ = size_t(shape[1]);
      found = true;
    }
    if (!found)
      return clip::make_error(cfg.path + ": graph has no output '" + cfg.output_name + "' named in model.json (outputs: " +
                              outputs + ")");
  } catch (const Ort::Exception& e) {
    return clip::make_error(cfg.path + ": cannot open on " + device_name(cfg.device) + ": " + one_line(e.what()));
  }

  if (enc->output_type_ != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT && enc->output_type_ != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16)
    return clip::make_error(cfg.path + ": output '" + cfg.output_name + "' is " + type_name(enc->output_type_) +
                            ", expected float32 or float16");
  for (const auto& name : cfg.expected_inputs) {
    const bool present = std::any_of(enc->inputs_.begin(), enc->inputs_.end(),
                                     [&](const Input& in) { return in.name == name; });
    if (!present) return clip::make_error(cfg.path + ": model.json names input '" + name + "' but the graph has none");
  }
  return enc;
}

clip::Result<std::vector<float>> Encoder::run(std::vector<Ort::Value>& inputs, const std::vector<const char*>& names,
                                              size_t rows) {
  const char* out_name = output_name_.c_str();
  try {
    auto outputs = session_->Run(Ort::RunOptions{nullptr}, names.data(), inputs.data(), inputs.size(), &out_name, 1);
    auto info = outputs[0].GetTensorTypeAndShapeInfo();
    const auto shape = info.GetShape();
    if (shape.size() != 2 || shape[0] < int64_t(rows) || shape[1] <= 0)
      return clip::make_error(path_ + ": output '" + output_name_ + "' has an unexpected shape (want [batch, dim])");
    const size_t dim = size_t(shape[1]);
    if (dim_ != 0 && dim != dim_) return clip::make_error(path_ + ": output dim changed between runs");
    dim_ = dim;
    std::vector<float> out(rows * dim);
    if (output_type_ == ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16) {
      const auto* h = outputs[0].GetTensorData<Ort::Float16_t>();
      for (size_t i = 0; i < out.size(); ++i) out[i] = h[i].ToFloat();
    } else {
      std::memcpy(out.data(), outputs[0].GetTensorData<float>(), out.size() * sizeof(float));
    }
    return out;
  } catch (const Ort::Exception& e) {
    return clip::make_error(path_ + ": inference failed on " + device_name(device_) + ": " + one_line(e.what()));
  }
}

clip::Result<std::vector<float>> Encoder::run_text(const std::vector<std::vector<int32_t>>& rows, int32_t pad_id) {
  const Input* ids_in = nullptr;
  const Input* mask_in = nullptr;
  for (const auto& in : inputs_) {
    if (in.type != ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 && in.type != ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32)
      return clip::make_error(path_ + ": text input '" + in.name + "' is " + type_name(in.type) + ", expected int64");
    if (in.shape.size() != 2) return clip::make_error(path_ + ": text input '" + in.name + "' is not [batch, sequence]");
    (is_mask_name(in.name) ? mask_in : ids_in) = &in;
  }
  if (!ids_in) return clip::make_error(path_ + ": graph has no token id input");
  if (rows.empty()) return std::vector<float>{};

  size_t longest = 0;
  for (const auto& r : rows) longest = std::max(longest, r.size());
  const int64_t fixed_seq = ids_in->shape[1];
  if (fixed_seq > 0 && longest > size_t(fixed_seq))
    return clip::make_error(path_ + ": " + std::to_string(longest) + " tokens exceed the graph's sequence length " +
                            std::to_string(fixed_seq));
  const size_t seq = fixed_seq > 0 ? size_t(fixed_seq) : longest;
  const size_t chunk = ids_in->shape[0] > 0 ? size_t(ids_in->shape[0]) : rows.size();

  std::vector<float> out;
  for (size_t first = 0; first < rows.size(); first += chunk) {
    const size_t n = std::min(chunk, rows.size() - first);
    const size_t b = ids_in->shape[0] > 0 ? chunk : n;  // a fixed batch is filled with padding rows
    std::vector<int64_t> ids(b * seq, pad_id), mask(b * seq, 0);
    for (size_t r = 0; r < n; ++r) {
      const auto& row = rows[first + r];
      for (size_t j = 0; j < row.size(); ++j) {
        ids[r * seq + j] = row[j];
        mask[r * seq + j] = 1;
      }
    }
    std::vector<TensorBuffer> buffers{integer_tensor(ids, {int64_t(b), int64_t(seq)}, ids_in->type)};
    std::vector<const char*> names{ids_in->name.c_str()};
    if (mask_in) {
      buffers.push_back(integer_tensor(mask, {int64_t(b), int64_t(seq)}, mask_in->type));
      names.push_back(mask_in->name.c_str());
    }
    std::vector<Ort::Value> values;
    for (auto& t : buffers) values.push_back(t.view());
    auto part = run(values, names, n);
    if (!part.ok()) return part.error();
    out.insert(out.end(), part->begin(), part->end());
  }
  return out;
}

clip::Result<std::vector<float>> Encoder::run_image(const float* pixels, size_t batch, int side) {
  if (inputs_.size() != 1)
    return clip::make_error(path_ + ": vision graph has " + std::to_string(inputs_.size()) + " inputs, expected 1");
  const Input& in = inputs_[0];
  if (in.type != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT && in.type != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16)
    return clip::make_error(path_ + ": pixel input '" + in.name + "' is " + type_name(in.type) + ", expected float32");
  if (in.shape.size() != 4) return clip::make_error(path_ + ": pixel input '" + in.name + "' is not NCHW");
  const int64_t want[3] = {3, side, side};
  for (int i = 0; i < 3; ++i)
    if (in.shape[i + 1] > 0 && in.shape[i + 1] != want[i])
      return clip::make_error(path_ + ": pixel input '" + in.name + "' wants dimension " + std::to_string(i + 1) +
                              " = " + std::to_string(in.shape[i + 1]) + ", model.json says " + std::to_string(want[i]));
  const size_t per_image = size_t(3) * side * side;
  const size_t chunk = in.shape[0] > 0 ? size_t(in.shape[0]) : std::max<size_t>(batch, 1);

  std::vector<float> out;
  std::vector<float> padded;
  for (size_t first = 0; first < batch; first += chunk) {
    const size_t n = std::min(chunk, batch - first);
    const size_t b = in.shape[0] > 0 ? chunk : n;
    const float* src = pixels + first * per_image;
    if (b != n) {  // a fixed batch is filled with zero images
      padded.assign(b * per_image, 0.0f);
      std::memcpy(padded.data(), src, n * per_image * sizeof(float));
      src = padded.data();
    }
    TensorBuffer t = float_tensor(src, b * per_image, {int64_t(b), 3, side, side}, in.type);
    std::vector<Ort::Value> values;
    values.push_back(t.view());
    auto part = run(values, {in.name.c_str()}, n);
    if (!part.ok()) return part.error();
    out.insert(out.end(), part->begin(), part->end());
  }
  return out;
}

}  // namespace clipsearch
