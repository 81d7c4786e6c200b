// Image -> model input: encoded files (stb_image) and browser-decoded RGBA,
// through the same core steps `clipsearch preprocess` runs.
#include <emscripten/bind.h>

#include "core/image/preprocess.h"
#include "core/util/sha256.h"
#include "wasm/js_convert.h"

namespace clipwasm {
namespace {

using clip::PreprocessConfig;
using clip::RgbImage;

// { tensor, width, height, sha256 } from an image already in RGB.
val tensor_result(const RgbImage& image, const PreprocessConfig& cfg, const std::string& sha256) {
  clip::Result<RgbImage> crop = clip::resize_and_crop(image, cfg);
  if (!crop) return js_error(crop.message());
  val o = val::object();
  o.set("tensor", copy_to_js(clip::normalize_to_nchw(*crop, cfg)));
  o.set("width", image.width);
  o.set("height", image.height);
  o.set("sha256", sha256);
  return o;
}

std::string hex_sha256(const std::vector<uint8_t>& bytes) {
  return clip::to_hex(clip::sha256(bytes.data(), bytes.size()));
}

val preprocess_image(const val& encoded, const val& config) {
  clip::Result<PreprocessConfig> cfg = preprocess_config_from_js(config);
  if (!cfg) return js_error("preprocessImage: " + cfg.message());
  std::vector<uint8_t> bytes = bytes_from_js(encoded);
  clip::Result<RgbImage> image = clip::decode_image(bytes, cfg->limits);
  if (!image) return js_error(image.message());
  return tensor_result(*image, *cfg, hex_sha256(bytes));
}

val preprocess_rgba(const val& rgba, int width, int height, const val& config) {
  std::vector<uint8_t> pixels = bytes_from_js(rgba);
  // rgb_from_rgba trusts the length, so check it matches the claimed size.
  if (width <= 0 || height <= 0 || uint64_t(width) * uint64_t(height) * 4 != pixels.size()) {
    return js_error("preprocessRgba: " + std::to_string(pixels.size()) + " bytes is not " +
                        std::to_string(width) + " x " + std::to_string(height) + " RGBA pixels");
  }
  clip::Result<PreprocessConfig> cfg = preprocess_config_from_js(config);
  if (!cfg) return js_error("preprocessRgba: " + cfg.message());
  clip::Result<RgbImage> image = clip::rgb_from_rgba(pixels.data(), width, height, cfg->limits);
  if (!image) return js_error(image.message());
  return tensor_result(*image, *cfg, "");
}

val preprocess_crop(const val& encoded, const val& config) {
  clip::Result<PreprocessConfig> cfg = preprocess_config_from_js(config);
  if (!cfg) return js_error("preprocessCrop: " + cfg.message());
  std::vector<uint8_t> bytes = bytes_from_js(encoded);
  clip::Result<RgbImage> image = clip::decode_image(bytes, cfg->limits);
  if (!image) return js_error(image.message());
  clip::Result<RgbImage> crop = clip::resize_and_crop(*image, *cfg);
  if (!crop) return js_error(crop.message());
  val o = val::object();
  o.set("crop", copy_to_js(crop->pixels));
  o.set("size", crop->width);
  o.set("width", image->width);
  o.set("height", image->height);
  o.set("sha256", hex_sha256(bytes));
  return o;
}

val decode_image(const val& encoded, const val& config) {
  std::vector<uint8_t> bytes = bytes_from_js(encoded);
  clip::Result<PreprocessConfig> cfg = preprocess_config_from_js(config);
  if (!cfg) return js_error("decodeImage: " + cfg.message());
  clip::Result<RgbImage> image = clip::decode_image(bytes, cfg->limits);
  if (!image) return js_error(image.message());
  val o = val::object();
  o.set("pixels", copy_to_js(image->pixels));
  o.set("width", image->width);
  o.set("height", image->height);
  return o;
}

// Never fails: the page asks this first, and hands formats stb_image cannot
// read (WebP, AVIF, HEIC) to the browser's decoder, then to preprocessRgba.
val image_format(const val& encoded) {
  std::vector<uint8_t> bytes = bytes_from_js(encoded);
  clip::ImageFormat format = clip::sniff_image_format(bytes);
  val o = val::object();
  o.set("format", std::string(clip::image_format_name(format)));
  o.set("decodable", clip::can_decode(format));
  return o;
}

val probe_image(const val& encoded) {
  std::vector<uint8_t> bytes = bytes_from_js(encoded);
  clip::Result<clip::ImageInfo> info = clip::probe_image(bytes);
  if (!info) return js_error(info.message());
  val o = val::object();
  o.set("format", std::string(clip::image_format_name(info->format)));
  o.set("decodable", clip::can_decode(info->format));
  o.set("width", info->width);
  o.set("height", info->height);
  o.set("orientation", info->orientation);
  return o;
}

// The config argument is optional in JS: Embind picks overloads by arity.
val preprocess_image_default(const val& encoded) { return preprocess_image(encoded, val::undefined()); }
val preprocess_rgba_default(const val& rgba, int w, int h) { return preprocess_rgba(rgba, w, h, val::undefined()); }
val preprocess_crop_default(const val& encoded) { return preprocess_crop(encoded, val::undefined()); }
val decode_image_default(const val& encoded) { return decode_image(encoded, val::undefined()); }

}  // namespace

EMSCRIPTEN_BINDINGS(clipsearch_image) {
  using emscripten::function;
  function("preprocessImage", &preprocess_image);
  function("preprocessImage", &preprocess_image_default);
  function("preprocessRgba", &preprocess_rgba);
  function("preprocessRgba", &preprocess_rgba_default);
  function("preprocessCrop", &preprocess_crop);
  function("preprocessCrop", &preprocess_crop_default);
  function("decodeImage", &decode_image);
  function("decodeImage", &decode_image_default);
  function("imageFormat", &image_format);
  function("probeImage", &probe_image);
}

}  // namespace clipwasm
