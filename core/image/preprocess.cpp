// CLIPImageProcessor's steps after decoding: shortest side to `size`, centre
// crop (only the crop is resampled), or ChineseCLIPImageProcessor's resize of
// both sides to `size`; then x/255 and (x - mean) / std.
#include "core/image/preprocess.h"

#include <algorithm>
#include <climits>
#include <string>

namespace clip {

namespace {
constexpr int kMaxExactShrink = 4096;
}  // namespace

Result<ImageSize> shortest_side_size(int width, int height, int size) {
  if (width <= 0 || height <= 0 || size <= 0)
    return make_error("resize: bad size " + std::to_string(width) + "x" + std::to_string(height) +
                      " -> " + std::to_string(size));
  const bool wide = width >= height;
  const int64_t short_side = wide ? height : width, long_side = wide ? width : height;
  // Hugging Face computes int(size * long / short) in double; for these
  // magnitudes that equals the integer quotient.
  const int64_t resized_long = int64_t(size) * long_side / short_side;
  if (resized_long > INT_MAX)
    return make_error("resize: aspect ratio of " + std::to_string(width) + "x" +
                      std::to_string(height) + " is too extreme (long side would be " +
                      std::to_string(resized_long) + ")");
  return wide ? ImageSize{int(resized_long), size} : ImageSize{size, int(resized_long)};
}

Result<RgbImage> resize_and_crop(const RgbImage& src, const PreprocessConfig& cfg) {
  if (cfg.resize == ResizeRule::exact) {
    // Each output pixel's taps span ~4 x (source / size) samples, all stored
    // at once (Pillow's layout): bound the shrink factor so a hostile strip
    // cannot make them hundreds of MB.
    if (cfg.size > 0 && std::max(src.width, src.height) / cfg.size > kMaxExactShrink)
      return make_error("resize: " + std::to_string(src.width) + "x" + std::to_string(src.height) +
                        " is too elongated to resize to " + std::to_string(cfg.size) + "x" + std::to_string(cfg.size) +
                        " (more than " + std::to_string(kMaxExactShrink) + " source pixels per output pixel)");
    return resize_window(src, cfg.size, cfg.size, 0, 0, cfg.size, cfg.size, cfg.resample);
  }
  Result<ImageSize> resized = shortest_side_size(src.width, src.height, cfg.size);
  CLIP_TRY(resized);
  const int x0 = (resized->width - cfg.size) / 2, y0 = (resized->height - cfg.size) / 2;
  return resize_window(src, resized->width, resized->height, x0, y0, cfg.size, cfg.size, cfg.resample);
}

std::vector<float> normalize_to_nchw(const RgbImage& crop, const PreprocessConfig& cfg) {
  // A table per channel holds the same float expression for all 256 levels:
  // plain IEEE single ops (no FMA contraction), so wasm gives the same bits.
  float lut[3][256];
  for (int c = 0; c < 3; ++c)
    for (int v = 0; v < 256; ++v) lut[c][v] = (float(v) / 255.0f - cfg.mean[c]) / cfg.std[c];
  const size_t plane = size_t(crop.width) * size_t(crop.height);
  std::vector<float> out(plane * 3);
  const uint8_t* px = crop.pixels.data();
  for (size_t i = 0; i < plane && 3 * i + 2 < crop.pixels.size(); ++i)
    for (int c = 0; c < 3; ++c) out[size_t(c) * plane + i] = lut[c][px[3 * i + size_t(c)]];
  return out;
}

Result<std::vector<float>> preprocess_encoded(ByteView encoded, const PreprocessConfig& cfg) {
  Result<RgbImage> image = decode_image(encoded, cfg.limits);
  CLIP_TRY(image);
  Result<RgbImage> crop = resize_and_crop(*image, cfg);
  CLIP_TRY(crop);
  return normalize_to_nchw(*crop, cfg);
}

Result<std::vector<float>> preprocess_rgba(const uint8_t* rgba, int width, int height,
                                           const PreprocessConfig& cfg) {
  Result<RgbImage> image = rgb_from_rgba(rgba, width, height, cfg.limits);
  CLIP_TRY(image);
  Result<RgbImage> crop = resize_and_crop(*image, cfg);
  CLIP_TRY(crop);
  return normalize_to_nchw(*crop, cfg);
}

}  // namespace clip
