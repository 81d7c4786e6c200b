#include "tools/fetch_model/agreement.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "core/demo/shapes.h"
#include "core/image/preprocess.h"
#include "core/search/kernels.h"
#include "tools/ort/clip_model.h"

namespace clipsearch {
namespace {

// Fixed inputs: captions of the kinds people type, and rendered demo images
// pushed through the model's own preprocessing.
const char* const kCaptions[] = {
    "a photo of a dog",
    "a red circle on the left",
    "two people riding bicycles in the rain",
    "a bowl of fruit on a wooden table",
    "a hand-drawn diagram of a neural network",
};
constexpr uint64_t kImageSeed = 7;
constexpr size_t kImages = 4;

struct Inputs {
  std::vector<std::string> captions;
  std::vector<float> pixels;  // kImages x [3, side, side]
};

float cosine(const float* a, const float* b, size_t n) { return float(clip::cosine(a, b, n)); }

// Embeddings of the fixed inputs by one precision of one encoder, rows back
// to back. The model feeds each as its spec says (int8 one row at a time).
clip::Result<std::vector<float>> run(ClipModel& model, const std::string& precision, bool text, const Inputs& in) {
  model.force_precision(precision);
  if (text) return model.embed_texts(in.captions);
  return model.embed_images(in.pixels.data(), kImages);
}

clip::Result<Inputs> make_inputs(const ClipModel& model) {
  Inputs in;
  for (const char* caption : kCaptions) in.captions.push_back(caption);
  for (size_t i = 0; i < kImages; ++i) {
    auto crop = clip::resize_and_crop(clip::render_demo_sample(kImageSeed, i).image, model.image_config());
    CLIP_TRY(crop);
    auto chw = clip::normalize_to_nchw(*crop, model.image_config());
    in.pixels.insert(in.pixels.end(), chw.begin(), chw.end());
  }
  return in;
}

}  // namespace

clip::Result<std::map<std::string, float>> check_agreement(const std::string& model_dir,
                                                           const std::function<void(const std::string&)>& log) {
  auto model = ClipModel::load(model_dir);
  CLIP_TRY(model);
  auto inputs = make_inputs(*model);
  CLIP_TRY(inputs);
  const clip::ModelManifest& m = model->manifest();

  std::map<std::string, float> lowest;
  for (bool text : {true, false}) {
    const clip::EncoderSpec& spec = text ? m.text().encoder : m.vision;
    const char* what = text ? "text" : "vision";
    auto ref_file = spec.variants.find("fp32");
    if (ref_file == spec.variants.end())
      return clip::make_error(std::string("--check-agreement needs the fp32 ") + what + " model as its reference");
    if (spec.variants.size() == 1) continue;
    auto ref = run(*model, "fp32", text, *inputs);
    CLIP_TRY(ref);
    const size_t count = text ? inputs->captions.size() : kImages;
    const size_t dim = ref->size() / count;
    for (const auto& [precision, file] : spec.variants) {
      if (precision == "fp32") continue;
      auto out = run(*model, precision, text, *inputs);
      CLIP_TRY(out);
      if (out->size() != ref->size())
        return clip::make_error(file.path + ": embeddings of another width than the fp32 model's");
      float worst = 1.0f;
      for (size_t r = 0; r < count; ++r) worst = std::min(worst, cosine(ref->data() + r * dim, out->data() + r * dim, dim));
      char line[160];
      std::snprintf(line, sizeof line, "agreement %s %s: lowest cosine to fp32 %.6f over %zu inputs", precision.c_str(),
                    what, worst, count);
      log(line);
      auto it = lowest.find(precision);
      lowest[precision] = it == lowest.end() ? worst : std::min(it->second, worst);
    }
  }
  return lowest;
}

}  // namespace clipsearch
