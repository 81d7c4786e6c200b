#include "tools/fetch_model/arrival_checks.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "core/image/preprocess.h"
#include "tools/fetch_model/agreement.h"
#include "tools/ort/clip_model.h"
#include "tools/pipeline/file_io.h"

namespace clipsearch {
namespace {

namespace fs = std::filesystem;

std::string fixed(float x, int digits = 5) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, double(x));
  return buf;
}

std::string list(const std::vector<float>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + fixed(v[i]);
  return out + "]";
}

// Unit rows of `count` images read from files.
clip::Result<std::vector<float>> embed_image_files(ClipModel& model, const std::string& dir,
                                                   const std::vector<std::string>& files) {
  std::vector<float> pixels;
  for (const auto& f : files) {
    const std::string path = (fs::path(dir) / f).string();
    auto bytes = read_file(path, uint64_t(64) << 20);
    CLIP_TRY(bytes);
    auto chw = clip::preprocess_encoded(clip::ByteView(*bytes), model.image_config());
    if (!chw.ok()) return clip::make_error(path + ": " + chw.message());
    pixels.insert(pixels.end(), chw->begin(), chw->end());
  }
  return model.embed_images(pixels.data(), files.size());
}

float dot(const float* a, const float* b, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; ++i) s += double(a[i]) * b[i];
  return float(s);
}

clip::Status check_labels(ClipModel& model, const LabelCheck& c, const std::string& dir,
                          const std::function<void(const std::string&)>& log, std::vector<std::string>* failures) {
  auto image = embed_image_files(model, dir, {c.image});
  CLIP_TRY(image);
  auto texts = model.embed_texts(c.texts);
  CLIP_TRY(texts);
  const size_t dim = model.manifest().embedding_dim;
  std::vector<float> probs(c.texts.size());
  double sum = 0, top = -1e30;
  for (size_t t = 0; t < probs.size(); ++t) top = std::max<double>(top, model.manifest().logit_scale * dot(image->data(), texts->data() + t * dim, dim));
  for (size_t t = 0; t < probs.size(); ++t) {
    probs[t] = float(std::exp(model.manifest().logit_scale * dot(image->data(), texts->data() + t * dim, dim) - top));
    sum += probs[t];
  }
  float worst = 0;
  for (size_t t = 0; t < probs.size(); ++t) {
    probs[t] = float(probs[t] / sum);
    worst = std::max(worst, std::fabs(probs[t] - c.probs[t]));
  }
  log("check: " + c.image + " label probabilities " + list(probs) + ", published " + list(c.probs) +
      " (largest difference " + fixed(worst) + ", allowed " + fixed(c.max_abs_error) + "; " + c.source + ")");
  if (!(worst <= c.max_abs_error))
    failures->push_back("label probabilities of " + c.image + " differ from the published ones by " + fixed(worst) +
                        " (allowed " + fixed(c.max_abs_error) + ")");
  return clip::ok_status();
}

clip::Status check_retrieval(ClipModel& model, const RetrievalCheck& c, const std::string& dir,
                             const std::function<void(const std::string&)>& log, std::vector<std::string>* failures) {
  std::vector<std::string> images, texts;
  for (const auto& [image, text] : c.pairs) images.push_back(image), texts.push_back(text);
  auto iv = embed_image_files(model, dir, images);
  CLIP_TRY(iv);
  auto tv = model.embed_texts(texts);
  CLIP_TRY(tv);
  const size_t dim = model.manifest().embedding_dim;
  std::vector<std::string> wrong;
  for (size_t i = 0; i < images.size(); ++i) {
    size_t best = 0;
    for (size_t t = 1; t < texts.size(); ++t)
      if (dot(iv->data() + i * dim, tv->data() + t * dim, dim) > dot(iv->data() + i * dim, tv->data() + best * dim, dim))
        best = t;
    if (best != i) wrong.push_back(images[i] + " -> \"" + texts[best] + "\"");
  }
  log("check: " + std::to_string(images.size() - wrong.size()) + " of " + std::to_string(images.size()) +
      " reference photos find their own description first (" + c.source + ")");
  for (const auto& w : wrong) log("check:   wrong: " + w);
  if (!wrong.empty())
    failures->push_back(std::to_string(wrong.size()) + " of " + std::to_string(images.size()) +
                        " reference photos do not find their own description first");
  return clip::ok_status();
}

bool every_encoder_has(const clip::ModelManifest& m, const std::string& precision) {
  if (!m.vision.variants.count(precision)) return false;
  for (const auto& t : m.text_towers)
    if (!t.encoder.variants.count(precision)) return false;
  return true;
}

}  // namespace

clip::Result<ArrivalReport> check_on_arrival(const std::string& model_dir, const ReferenceChecks& checks,
                                             const std::string& reference_dir,
                                             const std::function<void(const std::string&)>& log) {
  ArrivalReport report;
  auto model = ClipModel::load(model_dir);
  CLIP_TRY(model);
  // Published numbers are for the original (float32) weights: check the
  // file the CPU loads, fp32 when it is there.
  for (const auto& c : checks.labels) CLIP_TRY(check_labels(*model, c, reference_dir, log, &report.failures));
  for (const auto& c : checks.retrieval) CLIP_TRY(check_retrieval(*model, c, reference_dir, log, &report.failures));

  if (every_encoder_has(model->manifest(), "fp32") &&
      (every_encoder_has(model->manifest(), "fp16") || every_encoder_has(model->manifest(), "int8"))) {
    auto agreement = check_agreement(model_dir, log);
    CLIP_TRY(agreement);
    report.agreement = *agreement;
    for (const auto& [precision, cosine] : report.agreement)
      if (!(cosine >= checks.min_agreement))
        report.failures.push_back("the " + precision + " files' embeddings reach a cosine of only " + fixed(cosine) +
                                  " to fp32's (at least " + fixed(checks.min_agreement, 2) + " expected)");
  } else if (checks.labels.empty() && checks.retrieval.empty()) {
    log("check: nothing to compare with (no published numbers, no fp32 file beside fp16 / int8 ones)");
  }
  return report;
}

}  // namespace clipsearch
