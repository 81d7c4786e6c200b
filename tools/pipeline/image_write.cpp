// stb_image_write, private to this file (STB_IMAGE_WRITE_STATIC), so another
// translation unit may include its own copy without clashing symbols.
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>

#include "tools/pipeline/image_write.h"

#include <string>

namespace clipsearch {

namespace {

void append(void* ctx, void* data, int size) {
  auto* out = static_cast<std::vector<uint8_t>*>(ctx);
  out->insert(out->end(), static_cast<uint8_t*>(data), static_cast<uint8_t*>(data) + size);
}

clip::Status check(const clip::RgbImage& image) {
  if (image.width <= 0 || image.height <= 0 || image.pixels.size() != size_t(image.width) * image.height * 3)
    return clip::make_error("image to encode is empty or its pixel buffer does not match " +
                            std::to_string(image.width) + "x" + std::to_string(image.height) + " RGB");
  return clip::ok_status();
}

}  // namespace

clip::Result<std::vector<uint8_t>> encode_jpeg(const clip::RgbImage& image, int quality) {
  CLIP_TRY(check(image));
  std::vector<uint8_t> out;
  if (!stbi_write_jpg_to_func(append, &out, image.width, image.height, 3, image.pixels.data(), quality))
    return clip::make_error("JPEG encoding failed");
  return out;
}

clip::Result<std::vector<uint8_t>> encode_png(const clip::RgbImage& image) {
  CLIP_TRY(check(image));
  std::vector<uint8_t> out;
  if (!stbi_write_png_to_func(append, &out, image.width, image.height, 3, image.pixels.data(), image.width * 3))
    return clip::make_error("PNG encoding failed");
  return out;
}

}  // namespace clipsearch
