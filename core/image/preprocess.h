// Image -> CLIP model input, with the semantics of Hugging Face
// CLIPImageProcessor + Pillow: EXIF orientation, alpha over white, shortest
// side to `size` with Pillow's bicubic, centre crop, x/255, (x-mean)/std.
#pragma once
#include <cstdint>
#include <vector>

#include "core/util/bytes.h"
#include "core/util/result.h"

namespace clip {

// 8-bit RGB, interleaved, row-major.
struct RgbImage {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;  // width * height * 3
};

struct DecodeLimits {
  uint64_t max_pixels = 64'000'000;  // refused before any large allocation
};

struct PreprocessConfig {
  int size = 224;                     // shortest side after resize, and the crop side
  float mean[3] = {0.48145466f, 0.4578275f, 0.40821073f};
  float std[3] = {0.26862954f, 0.26130258f, 0.27577711f};
  DecodeLimits limits;
};

// Decodes JPEG/PNG/BMP/GIF(first frame)/... with stb_image, applies JPEG EXIF
// orientation, composites alpha over white, converts gray to RGB.
Result<RgbImage> decode_image(ByteView encoded, const DecodeLimits& limits = {});

// RGBA pixels as a browser's canvas gives them (already EXIF-oriented).
Result<RgbImage> rgb_from_rgba(const uint8_t* rgba, int width, int height,
                               const DecodeLimits& limits = {});

// Pillow-compatible bicubic resize of `src` to (out_width, out_height), but only
// the window [x0, x0+win_w) x [y0, y0+win_h) of that output is computed, so
// memory is bounded by the window.
Result<RgbImage> resize_window(const RgbImage& src, int out_width, int out_height,
                               int x0, int y0, int win_w, int win_h);

// Shortest side to cfg.size (long side truncated), centre crop cfg.size^2.
Result<RgbImage> resize_and_crop(const RgbImage& src, const PreprocessConfig& cfg);

// uint8 crop -> float32 NCHW, (x/255 - mean) / std.
std::vector<float> normalize_to_nchw(const RgbImage& crop, const PreprocessConfig& cfg);

// The whole path: encoded bytes -> float32 NCHW [3, size, size].
Result<std::vector<float>> preprocess_encoded(ByteView encoded, const PreprocessConfig& cfg);
Result<std::vector<float>> preprocess_rgba(const uint8_t* rgba, int width, int height,
                                           const PreprocessConfig& cfg);

// Thumbnail: longest side to max_side (never enlarged), Pillow bicubic.
Result<RgbImage> make_thumbnail(const RgbImage& src, int max_side);

}  // namespace clip
