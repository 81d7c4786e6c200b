#include "tools/fetch_model/split_towers.h"

#include <cmath>
#include <filesystem>

#include "core/model/model_spec.h"
#include "core/util/sha256.h"
#include "tools/fetch_model/download_progress.h"
#include "tools/onnx/graph_prune.h"
#include "tools/ort/encoder.h"
#include "tools/ort/graph_signature.h"
#include "tools/ort/ort_env.h"
#include "tools/ort/tensor_buffer.h"
#include "tools/pipeline/file_io.h"

namespace clipsearch {
namespace {

namespace fs = std::filesystem;

std::string path_in(const std::string& out_dir, const std::string& rel) { return (fs::path(out_dir) / rel).string(); }

std::string joined(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

clip::Status write_tower(const std::string& out_dir, clip::ByteView fused_bytes, const clip::ModelFile& fused,
                         const std::string& output, const char* what, clip::ModelFile* tower,
                         const std::function<void(const std::string&)>& log) {
  if (output.empty()) return clip::make_error(fused.path + ": the " + std::string(what) + " output is not named in model.json");
  auto pruned = onnx::prune_to_outputs(fused_bytes, {output}, fused.path);
  CLIP_TRY(pruned);
  const std::string dest = path_in(out_dir, tower->path);
  std::error_code ec;
  fs::create_directories(fs::path(dest).parent_path(), ec);
  if (ec) return clip::make_error("cannot create " + fs::path(dest).parent_path().string() + ": " + ec.message());
  const std::vector<clip::ByteView> views = pruned->views(fused_bytes);
  CLIP_TRY(write_file_atomic(dest, views));
  clip::Sha256 h;
  for (const clip::ByteView& v : views) h.update(v.data, v.size);
  tower->sha256 = clip::to_hex(h.finish());
  tower->bytes = pruned->size;
  log(fused.path + ": " + what + " tower -> " + tower->path + " (" + format_bytes(tower->bytes) + ", inputs " +
      joined(pruned->inputs) + ", " + std::to_string(pruned->nodes_kept) + " of " + std::to_string(pruned->nodes_total) +
      " nodes, " + std::to_string(pruned->initializers_kept) + " of " + std::to_string(pruned->initializers_total) +
      " initializers)");
  return clip::ok_status();
}

// Two fixed pictures, already normalised: smooth colour ramps, different per picture.
std::vector<float> test_pixels(int picture, int side) {
  const size_t plane = size_t(side) * size_t(side);
  std::vector<float> px(3 * plane);
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < side; ++y)
      for (int x = 0; x < side; ++x)
        px[size_t(c) * plane + size_t(y) * size_t(side) + size_t(x)] =
            1.5f * std::sin(0.05f * float((c + 1) * x + (picture + 2) * y) + float(picture));
  return px;
}

float largest_difference(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return INFINITY;
  float worst = 0.0f;
  for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::fabs(a[i] - b[i]));
  return worst;
}

}  // namespace

clip::Status split_fused_graph(const std::string& out_dir, const clip::ModelFile& fused, const std::string& text_output,
                               const std::string& vision_output, clip::ModelFile* text, clip::ModelFile* vision,
                               const std::function<void(const std::string&)>& log) {
  auto mapped = MappedFile::open(path_in(out_dir, fused.path));
  CLIP_TRY(mapped);
  const clip::ByteView bytes = (*mapped)->bytes();
  CLIP_TRY(write_tower(out_dir, bytes, fused, text_output, "text", text, log));
  return write_tower(out_dir, bytes, fused, vision_output, "vision", vision, log);
}

clip::Result<float> compare_with_fused(const std::string& out_dir, const clip::ModelManifest& m,
                                       const clip::ModelFile& fused, const std::string& precision, float tolerance) {
  auto spec = clip::ModelSpec::from_manifest(m);
  CLIP_TRY(spec);
  const clip::TextTower& tower = spec->manifest().text();
  const clip::EncoderSpec& vision = spec->manifest().vision;
  std::vector<std::string> tokenizer_files;
  for (const auto& f : tower.tokenizer.files) {
    auto t = read_text_file(path_in(out_dir, f.path), uint64_t(64) << 20);
    CLIP_TRY(t);
    tokenizer_files.push_back(std::move(*t));
  }
  auto tokenizer = spec->make_tokenizer(tower, tokenizer_files);
  CLIP_TRY(tokenizer);

  auto open_tower = [&](const clip::EncoderSpec& e) {
    EncoderConfig cfg;
    cfg.path = path_in(out_dir, e.variants.at(precision).path);
    cfg.input_names = e.input_names;
    cfg.output_name = e.output_name;
    cfg.max_rows = 1;
    return Encoder::open(cfg);
  };
  auto text_encoder = open_tower(tower.encoder);
  CLIP_TRY(text_encoder);
  auto vision_encoder = open_tower(vision);
  CLIP_TRY(vision_encoder);

  const std::string fused_path = path_in(out_dir, fused.path);
  float worst = 0.0f;
  try {
    Ort::SessionOptions options;
    options.SetGraphOptimizationLevel(GraphOptimizationLevel::ORT_ENABLE_ALL);
    Ort::Session session(ort_env(), fused_path.c_str(), options);
    const clip::GraphSignature graph = read_graph_signature(session);
    const int side = spec->image().size;
    const char* outputs[] = {tower.encoder.output_name.c_str(), vision.output_name.c_str()};
    const std::vector<std::string> captions = {"一只红色的猫坐在窗边", "a photo of a dog"};
    for (size_t i = 0; i < captions.size(); ++i) {
      auto batches = spec->text_batches(tower, {(*tokenizer)->encode(captions[i], tower.tokenizer.context_length)},
                                        (*text_encoder)->signature(), 1);
      CLIP_TRY(batches);
      const clip::TextBatch& batch = batches->front();
      const std::vector<float> pixels = test_pixels(int(i), side);

      std::vector<TensorBuffer> buffers;
      std::vector<const char*> names;
      for (const clip::GraphPort& in : graph.inputs) {
        const std::vector<int64_t> text_shape{batch.batch, batch.sequence};
        if (in.name == tower.encoder.input_names.at(0)) {
          buffers.push_back(integer_tensor(batch.ids, text_shape, in.type));
        } else if (tower.encoder.input_names.size() > 1 && in.name == tower.encoder.input_names[1]) {
          buffers.push_back(integer_tensor(batch.mask, text_shape, in.type));
        } else if (in.name == vision.input_names.at(0)) {
          buffers.push_back(float_tensor(pixels.data(), pixels.size(), {1, 3, side, side}, in.type));
        } else {
          return clip::make_error(fused.path + ": input '" + in.name + "' belongs to neither tower (text takes " +
                                  joined(tower.encoder.input_names) + ", vision " + vision.input_names.at(0) + ")");
        }
        names.push_back(in.name.c_str());
      }
      std::vector<Ort::Value> values;
      for (auto& b : buffers) values.push_back(b.view());
      auto fused_out = session.Run(Ort::RunOptions{nullptr}, names.data(), values.data(), values.size(), outputs, 2);

      auto text_split = (*text_encoder)->run_text(batch);
      CLIP_TRY(text_split);
      auto image_split = (*vision_encoder)->run_image(pixels.data(), 1, side);
      CLIP_TRY(image_split);
      worst = std::max({worst, largest_difference(tensor_floats(fused_out[0]), *text_split),
                        largest_difference(tensor_floats(fused_out[1]), *image_split)});
    }
  } catch (const Ort::Exception& e) {
    std::string what = e.what();
    for (char& c : what)
      if (c == '\n' || c == '\r') c = ' ';
    return clip::make_error(fused_path + ": cannot run the fused graph: " + what);
  }
  if (!(worst <= tolerance))
    return clip::make_error(fused.path + ": the split " + precision + " towers differ from the fused graph by up to " +
                            std::to_string(worst) + " (allowed " + std::to_string(tolerance) + ")");
  return worst;
}

}  // namespace clipsearch
