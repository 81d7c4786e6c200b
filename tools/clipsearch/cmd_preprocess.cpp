// clipsearch preprocess: the model input an image becomes, for checking the
// C++ preprocessing against references (and the page against the CLI).
//   clipsearch preprocess photo.jpg --crop-png crop.png --tensor input.f32
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "core/image/preprocess.h"
#include "core/model/model_manifest.h"
#include "tools/clipsearch/cli_common.h"
#include "tools/clipsearch/commands.h"
#include "tools/pipeline/file_io.h"
#include "tools/pipeline/image_write.h"

namespace clipsearch {
namespace {

struct Options {
  std::string image;
  std::string model;
  std::string crop_png;
  std::string tensor;
};

// Size, filter, mean and std from the model's model.json; CLIP's values when
// no model is given and the default one is absent.
clip::Result<clip::PreprocessConfig> preprocess_config(const std::string& model_flag) {
  const std::string dir = resolve_model_dir(model_flag);
  const std::string path = (std::filesystem::path(dir) / "model.json").string();
  if (model_flag.empty() && !std::filesystem::exists(path)) return clip::PreprocessConfig{};
  auto text = read_text_file(path, clip::kMaxModelManifestBytes);
  CLIP_TRY(text);
  auto m = clip::parse_model_manifest(*text);
  if (!m.ok()) return clip::make_error(path + ": " + m.message());
  return m->image;
}

int run(const Options& o) {
  auto cfg = preprocess_config(o.model);
  if (!cfg.ok()) return fail("preprocess", cfg.message());
  auto bytes = read_file(o.image, uint64_t(1) << 30);
  if (!bytes.ok()) return fail("preprocess", bytes.message());
  auto image = clip::decode_image(clip::ByteView(*bytes), cfg->limits);
  if (!image.ok()) return fail("preprocess", o.image + ": " + image.message());
  auto crop = clip::resize_and_crop(*image, *cfg);
  if (!crop.ok()) return fail("preprocess", o.image + ": " + crop.message());

  if (!o.crop_png.empty()) {
    auto png = encode_png(*crop);
    if (!png.ok()) return fail("preprocess", png.message());
    if (auto s = write_file_atomic(o.crop_png, clip::ByteView(*png)); !s.ok()) return fail("preprocess", s.message());
  }
  if (!o.tensor.empty()) {
    const std::vector<float> t = clip::normalize_to_nchw(*crop, *cfg);
    const clip::ByteView raw(reinterpret_cast<const uint8_t*>(t.data()), t.size() * sizeof(float));
    if (auto s = write_file_atomic(o.tensor, raw); !s.ok()) return fail("preprocess", s.message());
  }
  nlohmann::ordered_json j;
  j["image"] = o.image;
  j["width"] = image->width;  // as displayed (after EXIF orientation)
  j["height"] = image->height;
  j["crop"] = cfg->size;
  if (!o.tensor.empty()) j["tensor_shape"] = {1, 3, cfg->size, cfg->size};
  std::cout << j.dump() << "\n";
  return 0;
}

CommandRegistrar reg("preprocess", "Write an image's 224x224 model crop (PNG) and/or its float32 NCHW tensor",
                     [](CLI::App& sub) {
                       auto o = std::make_shared<Options>();
                       sub.add_option("image", o->image, "Image file")->required();
                       sub.add_option("--crop-png", o->crop_png, "Write the RGB crop before normalisation (PNG)");
                       sub.add_option("--tensor", o->tensor,
                                      "Write the normalised input as raw little-endian float32 [1,3,S,S]");
                       sub.add_option("--model", o->model, "Model whose size/mean/std to use (default: demo)");
                       return [o] {
                         if (o->crop_png.empty() && o->tensor.empty())
                           return fail("preprocess", "nothing to write: give --crop-png and/or --tensor");
                         return run(*o);
                       };
                     });

}  // namespace
}  // namespace clipsearch
