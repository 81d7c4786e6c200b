// clipsearch labels: zero-shot labels for an image, best first, as in
// OpenAI's CLIP README: softmax over the model's logit_scale x cosine.
//   clipsearch labels --image cat.jpg --label cat --label dog --label "a diagram"
//   clipsearch labels --image shape.png --labels colours.txt --template "{}" --json
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "core/image/preprocess.h"
#include "core/query/unknown_words.h"
#include "core/query/zero_shot_labels.h"
#include "tools/clipsearch/cli_common.h"
#include "tools/clipsearch/commands.h"
#include "tools/clipsearch/query_terms.h"
#include "tools/pipeline/file_io.h"

namespace clipsearch {
namespace {

struct Options {
  std::string model;
  std::string device;
  std::string image;
  std::vector<std::string> labels;
  std::string labels_file;
  std::string templ = std::string(clip::kDefaultLabelTemplate);
  bool json = false;
};

clip::Result<std::vector<std::string>> all_labels(const Options& o) {
  std::vector<std::string> labels = o.labels;
  if (!o.labels_file.empty()) {
    auto text = read_text_file(o.labels_file, uint64_t(16) << 20);
    CLIP_TRY(text);
    auto listed = clip::parse_label_list(*text);
    if (!listed.ok()) return clip::make_error(o.labels_file + ": " + listed.message());
    labels.insert(labels.end(), listed->begin(), listed->end());
  }
  if (labels.empty()) return clip::make_error("give at least one --label or a --labels file");
  return labels;
}

int run(const Options& o) {
  auto labels = all_labels(o);
  if (!labels.ok()) return fail("labels", labels.message());
  std::vector<std::string> texts;
  for (const auto& label : *labels) {
    auto text = clip::apply_label_template(o.templ, label);
    if (!text.ok()) return fail("labels", text.message());
    texts.push_back(std::move(*text));
  }
  auto model = open_model(o.model);
  if (!model.ok()) return fail("labels", model.message());
  auto device = parse_device(o.device);
  if (!device.ok()) return fail("labels", device.message());
  if (auto st = model->set_device(*device); !st.ok()) return fail("labels", st.message());

  auto bytes = read_file(o.image, uint64_t(1) << 30);
  if (!bytes.ok()) return fail("labels", bytes.message());
  auto pixels = clip::preprocess_encoded(clip::ByteView(*bytes), model->image_config());
  if (!pixels.ok()) return fail("labels", o.image + ": " + pixels.message());
  auto image = model->embed_images(pixels->data(), 1);
  if (!image.ok()) return fail("labels", image.message());
  auto label_embeddings = model->embed_texts(texts);
  if (!label_embeddings.ok()) return fail("labels", label_embeddings.message());
  const clip::ModelManifest& m = model->manifest();
  auto scores = clip::score_labels(*image, *label_embeddings, m.embedding_dim, m.logit_scale);
  if (!scores.ok()) return fail("labels", scores.message());

  const auto unknown = unknown_words(*model, texts);
  if (!unknown.empty()) {
    std::string words;
    for (const auto& w : unknown) words += (words.empty() ? "" : ", ") + w;
    std::fprintf(stderr, "clipsearch labels: the %s model does not know: %s (labels with them score at random)\n",
                 m.name.c_str(), words.c_str());
  }
  if (!o.json) {
    std::printf("%7s  %7s  %s\n", "prob", "score", "label");
    for (const auto& s : *scores)
      std::printf("%7.4f  %7.4f  %s\n", double(s.prob), double(s.score), (*labels)[s.label].c_str());
    return 0;
  }
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& s : *scores) out.push_back({{"label", (*labels)[s.label]}, {"score", s.score}, {"prob", s.prob}});
  std::cout << out.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
  return 0;
}

CommandRegistrar reg("labels", "Zero-shot labels for an image: which of the given labels fits it best",
                     [](CLI::App& sub) {
                       auto o = std::make_shared<Options>();
                       sub.add_option("--image", o->image, "Image file to label")->required();
                       sub.add_option("--label", o->labels, "A label (repeat for more)");
                       sub.add_option("--labels", o->labels_file,
                                      "File of labels, one per line (blank lines and # comments skipped)");
                       sub.add_option("--template", o->templ,
                                      "Text each label is put into, at {} (\"{}\" embeds labels as they are)")
                           ->capture_default_str();
                       sub.add_flag("--json", o->json, "Print a JSON list of {label, score, prob}, best first");
                       sub.add_option("--model", o->model, "Model folder (default: the bundled demo model)");
                       add_device_option(sub, o->device, "cpu");
                       return [o] { return run(*o); };
                     });

}  // namespace
}  // namespace clipsearch
