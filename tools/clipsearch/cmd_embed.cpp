// clipsearch embed: L2-normalised embeddings as JSON arrays.
//   clipsearch embed --text "a red circle"
//   clipsearch embed --text "红色的圆形"               (the zh text tower: --lang auto)
//   clipsearch embed --image photo.jpg --device webgpu
//   clipsearch embed --text "a dog" --precision int8   (the file the page loads on wasm)
//   printf '"a dog"\n"a cat"\n' | clipsearch embed --jsonl   -> one array per line
#include <algorithm>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "core/image/preprocess.h"
#include "tools/clipsearch/cli_common.h"
#include "tools/clipsearch/commands.h"
#include "tools/clipsearch/query_lang.h"
#include "tools/pipeline/file_io.h"

namespace clipsearch {
namespace {

struct Options {
  std::string model;
  std::string text;
  std::string image;
  bool jsonl = false;
  size_t batch = 64;
  std::string device;
  std::string lang;
  std::string precision;  // "" = the device's choice (model.json preferred_precision)
};

// Texts from stdin, one JSON string per line, embedded `batch` at a time.
int run_jsonl(ClipModel& model, size_t batch, const std::string& lang) {
  std::vector<std::string> texts;
  auto flush = [&]() -> bool {
    auto emb = embed_texts_by_language(model, texts, lang);
    if (!emb.ok()) {
      fail("embed", emb.message());
      return false;
    }
    const size_t dim = model.manifest().embedding_dim;
    for (size_t i = 0; i < texts.size(); ++i) std::cout << json_float_array(emb->data() + i * dim, dim) << "\n";
    std::cout.flush();
    texts.clear();
    return true;
  };
  std::string line;
  for (size_t line_no = 1; std::getline(std::cin, line); ++line_no) {
    const auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!j.is_string())
      return fail("embed", "stdin line " + std::to_string(line_no) + ": expected a JSON string, e.g. \"a dog\"");
    texts.push_back(j.get<std::string>());
    if (texts.size() == batch && !flush()) return 1;
  }
  return texts.empty() || flush() ? 0 : 1;
}

int run(const Options& o, bool have_text) {
  auto model = open_model(o.model);
  if (!model.ok()) return fail("embed", model.message());
  auto device = parse_device(o.device);
  if (!device.ok()) return fail("embed", device.message());
  if (auto s = model->set_device(*device); !s.ok()) return fail("embed", s.message());
  model->force_precision(o.precision);
  if (o.jsonl) return run_jsonl(*model, std::max<size_t>(o.batch, 1), o.lang);

  clip::Result<std::vector<float>> emb = clip::make_error("");
  if (have_text) {
    emb = embed_texts_by_language(*model, {o.text}, o.lang);
  } else {
    auto bytes = read_file(o.image, uint64_t(1) << 30);
    if (!bytes.ok()) return fail("embed", bytes.message());
    auto pixels = clip::preprocess_encoded(clip::ByteView(*bytes), model->image_config());
    if (!pixels.ok()) return fail("embed", o.image + ": " + pixels.message());
    emb = model->embed_images(pixels->data(), 1);
  }
  if (!emb.ok()) return fail("embed", emb.message());
  std::cout << json_float_array(emb->data(), emb->size()) << "\n";
  return 0;
}

CommandRegistrar reg("embed", "Print the normalised embedding of a text or an image (or texts) as JSON arrays",
                     [](CLI::App& sub) {
                       auto o = std::make_shared<Options>();
                       sub.add_option("--model", o->model, "Model folder (default: the bundled demo model)");
                       auto* text = sub.add_option("--text", o->text, "Text to embed");
                       auto* image = sub.add_option("--image", o->image, "Image file to embed");
                       auto* jsonl = sub.add_flag("--jsonl", o->jsonl,
                                                  "Embed texts from stdin (one JSON string per line), one array per line");
                       sub.add_option("--batch", o->batch, "Texts per encoder run with --jsonl")->capture_default_str();
                       text->excludes(image)->excludes(jsonl);
                       image->excludes(jsonl);
                       add_device_option(sub, o->device, "cpu");
                       add_lang_option(sub, o->lang);
                       sub.add_option("--precision", o->precision,
                                      "Encoder file to run: fp32, fp16 or int8 (default: the device's choice in model.json)")
                           ->check(CLI::IsMember({"fp32", "fp16", "int8"}));
                       return [o, text, image, jsonl] {
                         if (text->count() + image->count() + jsonl->count() != 1)
                           return fail("embed", "give --text, --image or --jsonl");
                         return run(*o, text->count() == 1);
                       };
                     });

}  // namespace
}  // namespace clipsearch
