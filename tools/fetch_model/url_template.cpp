#include "tools/fetch_model/url_template.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <vector>

#include "core/model/json_fields.h"

namespace clipsearch {
namespace {

using clip::model_json::Fields;
const char* const kPreprocessorFile = "preprocessor_config.json";

// An int, or {"shortest_edge": n}, or {"height": n, "width": n} (square only;
// *exact: this form, which Hugging Face resizes to exactly, aspect not kept).
clip::Status read_side(const Fields& f, const char* key, bool* present, int* side, bool* exact) {
  const nlohmann::json* v = nullptr;
  CLIP_TRY(f.member(key, false, &v));
  *present = v != nullptr;
  *exact = false;
  if (!v) return clip::ok_status();
  if (v->is_number_unsigned()) {
    *side = int(std::min<uint64_t>(v->get<uint64_t>(), 1u << 20));
    return clip::ok_status();
  }
  Fields sub(*v, f.name(key), kPreprocessorFile);
  CLIP_TRY(sub.object());
  uint64_t edge = 0, h = 0, w = 0;
  CLIP_TRY(sub.u64("shortest_edge", &edge, false));
  CLIP_TRY(sub.u64("height", &h, false));
  CLIP_TRY(sub.u64("width", &w, false));
  if (edge) {
    *side = int(std::min<uint64_t>(edge, 1u << 20));
  } else if (h && h == w) {
    *side = int(std::min<uint64_t>(h, 1u << 20));
    *exact = true;
  } else {
    return f.fail(key, "must be a number, {\"shortest_edge\": n} or a square {\"height\", \"width\"}");
  }
  return clip::ok_status();
}

std::string join(const std::string& base, const std::string& path) { return base + path; }

bool present(const std::string& url, const net::HttpLimits& limits) { return net::probe_url(url, limits).ok(); }

}  // namespace

clip::Status apply_hf_preprocessor_config(std::string_view json_text, clip::ModelManifest* m) {
  auto root = clip::model_json::parse(json_text, kPreprocessorFile);
  CLIP_TRY(root);
  Fields f(*root, "", kPreprocessorFile);
  CLIP_TRY(f.object());
  bool has_size = false, has_crop = false, exact = false, crop_exact = false;
  int size = 0, crop = 0;
  CLIP_TRY(read_side(f, "size", &has_size, &size, &exact));
  CLIP_TRY(read_side(f, "crop_size", &has_crop, &crop, &crop_exact));
  bool center_crop = true, normalize = true, rescale = true;
  CLIP_TRY(f.boolean("do_center_crop", &center_crop, false));
  CLIP_TRY(f.boolean("do_normalize", &normalize, false));
  CLIP_TRY(f.boolean("do_rescale", &rescale, false));
  if (!has_size) return f.fail("size", "is missing");
  // Without a centre crop, crop_size is unused (Xenova's Chinese-CLIP 336 px
  // export says crop 224 beside size 336). {"height", "width"} resizes to
  // exactly that square, so a crop of the same size changes nothing.
  if (center_crop && has_crop && crop != size)
    return f.fail("crop_size", "differs from size (" + std::to_string(crop) + " vs " + std::to_string(size) +
                                   "): resize-then-crop to another size is not supported");
  if (!center_crop && !exact)
    return f.fail("do_center_crop", "is false, but size is not a square {\"height\", \"width\"}: the result would not be square");
  double factor = 1.0 / 255.0;
  CLIP_TRY(f.number("rescale_factor", &factor, false));
  if (!rescale || std::fabs(factor - 1.0 / 255.0) > 1e-9)
    return f.fail("rescale_factor", "must be 1/255 (pixels are scaled to 0..1)");
  uint64_t resample = 3;  // CLIPImageProcessor's default: PIL bicubic
  CLIP_TRY(f.u64("resample", &resample, false));
  if (resample == 3) {
    m->image.resample = clip::ResampleFilter::bicubic;
  } else if (resample == 2) {
    m->image.resample = clip::ResampleFilter::bilinear;
  } else {
    return f.fail("resample", "must be 2 (bilinear) or 3 (bicubic)");
  }
  m->image.size = size;
  m->image.resize = exact ? clip::ResizeRule::exact : clip::ResizeRule::shortest_edge_center_crop;
  if (!normalize) {
    for (int c = 0; c < 3; ++c) {
      m->image.mean[c] = 0.0f;
      m->image.std[c] = 1.0f;
    }
  } else {
    const nlohmann::json* v = nullptr;
    CLIP_TRY(f.member("image_mean", false, &v));
    if (v) CLIP_TRY(f.float3("image_mean", m->image.mean));
    CLIP_TRY(f.member("image_std", false, &v));
    if (v) CLIP_TRY(f.float3("image_std", m->image.std));
  }
  return clip::ok_status();
}

clip::Status apply_hf_tokenizer_padding(std::string_view tokenizer_json, clip::TextTower* tower, bool* found) {
  *found = false;
  auto root = clip::model_json::parse(tokenizer_json, "tokenizer.json");
  CLIP_TRY(root);
  if (!root->is_object() || !root->contains("padding") || !(*root)["padding"].is_object()) return clip::ok_status();
  const nlohmann::json& padding = (*root)["padding"];
  Fields f(padding, "padding", "tokenizer.json");
  const nlohmann::json* strategy = nullptr;
  CLIP_TRY(f.member("strategy", false, &strategy));
  if (!strategy || !strategy->is_object() || !strategy->contains("Fixed")) return clip::ok_status();
  const nlohmann::json& n = (*strategy)["Fixed"];
  if (!n.is_number_unsigned() || n.get<uint64_t>() < 2 || n.get<uint64_t>() > 1024)
    return f.fail("strategy", "has a Fixed length outside 2..1024");
  uint64_t pad = 0;
  CLIP_TRY(f.u64("pad_id", &pad, true));
  if (pad > uint64_t(INT32_MAX)) return f.fail("pad_id", "is out of range");
  tower->tokenizer.context_length = uint32_t(n.get<uint64_t>());
  tower->input.length = clip::TextLength::fixed;
  tower->input.pad_id = int32_t(pad);
  tower->input.pooling = clip::TextPooling::none;  // nothing the file says; padding is what matters
  *found = true;
  return clip::ok_status();
}

std::string model_name_from_url(const std::string& base_url) {
  std::vector<std::string> parts;
  size_t start = base_url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  start = base_url.find('/', start);  // skip the host
  while (start != std::string::npos && start < base_url.size()) {
    size_t end = base_url.find('/', start + 1);
    std::string part = base_url.substr(start + 1, (end == std::string::npos ? base_url.size() : end) - start - 1);
    if (!part.empty()) parts.push_back(part);
    start = end;
  }
  std::string name;
  for (size_t i = 0; i < parts.size(); ++i)
    if (parts[i] == "resolve" && i > 0) name = parts[i - 1];
  if (name.empty() && !parts.empty()) name = parts.back();
  std::string clean;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-';
    clean += ok ? c : '-';
  }
  while (!clean.empty() && (clean[0] == '.' || clean[0] == '-')) clean.erase(0, 1);
  return clean.empty() ? "model" : clean;
}

clip::Result<clip::ModelManifest> model_template_from_url(const std::string& base, const std::string& name,
                                                          const net::HttpLimits& limits,
                                                          const std::function<void(const std::string&)>& log,
                                                          bool* hf_export) {
  *hf_export = false;
  net::HttpLimits small = limits;
  small.max_bytes = clip::kMaxModelManifestBytes;

  // Another clipsearch model folder: take its model.json as the plan.
  auto own = net::download_to_memory(join(base, "model.json"), small);
  if (own.ok()) {
    auto m = clip::parse_model_manifest(std::string_view(reinterpret_cast<const char*>(own->data()), own->size()));
    if (!m.ok()) return clip::make_error(join(base, "model.json") + ": " + m.message());
    if (!name.empty()) m->name = name;
    log("using " + join(base, "model.json"));
    return std::move(*m);
  }

  log("no model.json at " + base + ": looking for a transformers.js export (onnx/*.onnx)");
  *hf_export = true;
  clip::ModelManifest m;
  m.name = name.empty() ? model_name_from_url(base) : name;
  m.embedding_dim = 0;  // read from the graphs
  const struct {
    const char* precision;
    const char* suffix;
  } kVariants[] = {{"fp32", ""}, {"fp16", "_fp16"}, {"int8", "_quantized"}};
  m.text_towers.emplace_back();
  clip::TextTower& tower = m.text();
  for (auto* enc : {&tower.encoder, &m.vision}) {
    const bool text = enc == &tower.encoder;
    const std::string stem = text ? "onnx/text_model" : "onnx/vision_model";
    for (const auto& v : kVariants) {
      const std::string path = stem + v.suffix + ".onnx";
      if (present(join(base, path), limits)) enc->variants[v.precision] = clip::ModelFile{path, "", 0};
    }
    if (enc->variants.empty()) return clip::make_error(join(base, stem + ".onnx") + ": not found (nor its fp16/quantized variants)");
    // Input and output names: read from the graphs once they are here.
  }

  if (present(join(base, "vocab.json"), limits) && present(join(base, "merges.txt"), limits)) {
    tower.tokenizer.kind = "vocab_merges";
    tower.tokenizer.files = {{"vocab.json", "", 0}, {"merges.txt", "", 0}};
  } else if (present(join(base, "tokenizer.json"), limits)) {
    tower.tokenizer.kind = "tokenizer_json";
    tower.tokenizer.files = {{"tokenizer.json", "", 0}};
  } else {
    return clip::make_error(base + ": no tokenizer found (looked for vocab.json + merges.txt, then tokenizer.json)");
  }

  auto pre = net::download_to_memory(join(base, kPreprocessorFile), small);
  if (pre.ok()) {
    CLIP_TRY(apply_hf_preprocessor_config(std::string_view(reinterpret_cast<const char*>(pre->data()), pre->size()), &m));
  } else {
    log(pre.message() + ": using CLIP's image settings (224 px, bicubic, OpenAI mean/std)");
  }
  return m;
}

}  // namespace clipsearch
