// clipsearch embed: one L2-normalised embedding as a JSON array.
//   clipsearch embed --text "a red circle"
//   clipsearch embed --image photo.jpg --device webgpu
#include <iostream>
#include <memory>
#include <string>

#include "core/image/preprocess.h"
#include "tools/clipsearch/cli_common.h"
#include "tools/clipsearch/commands.h"
#include "tools/pipeline/file_io.h"

namespace clipsearch {
namespace {

struct Options {
  std::string model;
  std::string text;
  std::string image;
  std::string device;
};

int run(const Options& o, bool have_text) {
  auto model = open_model(o.model);
  if (!model.ok()) return fail("embed", model.message());
  auto device = parse_device(o.device);
  if (!device.ok()) return fail("embed", device.message());
  if (auto s = model->set_device(*device); !s.ok()) return fail("embed", s.message());

  clip::Result<std::vector<float>> emb = clip::make_error("");
  if (have_text) {
    emb = model->embed_texts({o.text});
  } else {
    auto bytes = read_file(o.image, uint64_t(1) << 30);
    if (!bytes.ok()) return fail("embed", bytes.message());
    auto pixels = clip::preprocess_encoded(clip::ByteView(*bytes), model->manifest().image);
    if (!pixels.ok()) return fail("embed", o.image + ": " + pixels.message());
    emb = model->embed_images(pixels->data(), 1);
  }
  if (!emb.ok()) return fail("embed", emb.message());
  std::cout << json_float_array(emb->data(), emb->size()) << "\n";
  return 0;
}

CommandRegistrar reg("embed", "Print the normalised embedding of a text or an image as a JSON array",
                     [](CLI::App& sub) {
                       auto o = std::make_shared<Options>();
                       sub.add_option("--model", o->model, "Model folder (default: the bundled demo model)");
                       auto* text = sub.add_option("--text", o->text, "Text to embed");
                       auto* image = sub.add_option("--image", o->image, "Image file to embed");
                       text->excludes(image);
                       add_device_option(sub, o->device, "cpu");
                       return [o, text, image] {
                         if (text->count() + image->count() != 1) return fail("embed", "give --text or --image");
                         return run(*o, text->count() == 1);
                       };
                     });

}  // namespace
}  // namespace clipsearch
