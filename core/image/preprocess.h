// Image -> CLIP model input, with the semantics of Hugging Face
// CLIPImageProcessor + Pillow: EXIF orientation, alpha over white, shortest
// side to `size` with Pillow's bicubic (or bilinear), centre crop, x/255,
// (x-mean)/std. Chinese-CLIP's processor instead resizes both sides to
// `size` (aspect ratio not kept) and crops nothing (ResizeRule::exact).
#pragma once
#include <cstdint>
#include <string_view>
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
  int max_side = 1 << 24;            // per-side guard (stb_image's own ceiling)
};

// Pillow's resampling filters the models use: BICUBIC (OpenAI CLIP, SigLIP)
// and BILINEAR (MobileCLIP). Names as model.json's image.resample writes them.
enum class ResampleFilter { bicubic, bilinear };

Result<ResampleFilter> parse_resample_filter(std::string_view name);  // "bicubic" | "bilinear"
const char* resample_filter_name(ResampleFilter filter);

// How a picture becomes size x size: model.json's image.resize + image.crop.
enum class ResizeRule {
  shortest_edge_center_crop,  // "shortest_edge" + "center": CLIP, MobileCLIP
  exact,                      // "exact" + "none": both sides to size, nothing cropped (Chinese-CLIP)
};

// The pair as model.json spells it; an unknown name or a pair that does not
// go together is an error naming both.
Result<ResizeRule> parse_resize_rule(std::string_view resize, std::string_view crop);
const char* resize_rule_resize_name(ResizeRule rule);  // "shortest_edge" | "exact"
const char* resize_rule_crop_name(ResizeRule rule);    // "center" | "none"

struct PreprocessConfig {
  int size = 224;                     // the side of the square the model takes
  ResizeRule resize = ResizeRule::shortest_edge_center_crop;
  ResampleFilter resample = ResampleFilter::bicubic;
  float mean[3] = {0.48145466f, 0.4578275f, 0.40821073f};
  float std[3] = {0.26862954f, 0.26130258f, 0.27577711f};
  DecodeLimits limits;
};

// What the first bytes say. Formats after `bmp` are recognised only to name
// them in errors: stb_image cannot read them, the page decodes them with the
// browser (createImageBitmap) and calls rgb_from_rgba / preprocess_rgba.
enum class ImageFormat { unknown, jpeg, png, gif, bmp, webp, avif, heif, tiff, jxl };

ImageFormat sniff_image_format(ByteView encoded);
const char* image_format_name(ImageFormat format);  // "JPEG", "PNG", ...
bool can_decode(ImageFormat format);                 // stb_image reads it here

// Header facts, read without decoding pixels. width/height are as displayed,
// i.e. after EXIF orientation (swapped for orientations 5-8).
struct ImageInfo {
  ImageFormat format = ImageFormat::unknown;
  int width = 0;
  int height = 0;
  int orientation = 1;  // EXIF 1-8
};
Result<ImageInfo> probe_image(ByteView encoded, const DecodeLimits& limits = {});

// Decodes JPEG (baseline, progressive) / PNG (all bit depths, palette,
// tRNS) / BMP / GIF (first frame) with stb_image, applies JPEG/PNG EXIF
// orientation, composites alpha over white (as Pillow's alpha_composite),
// converts gray to RGB. 16-bit samples keep their high byte.
Result<RgbImage> decode_image(ByteView encoded, const DecodeLimits& limits = {});

// RGBA pixels as a browser's canvas gives them (already EXIF-oriented), alpha
// composited over white exactly as decode_image does.
Result<RgbImage> rgb_from_rgba(const uint8_t* rgba, int width, int height,
                               const DecodeLimits& limits = {});

// Pillow-compatible resize of `src` to (out_width, out_height), but only the
// window [x0, x0+win_w) x [y0, y0+win_h) of that output is computed, so
// memory is bounded by the window.
Result<RgbImage> resize_window(const RgbImage& src, int out_width, int out_height,
                               int x0, int y0, int win_w, int win_h,
                               ResampleFilter filter = ResampleFilter::bicubic);

// Size after "shortest side to `size`": the long side is int(size*long/short).
struct ImageSize {
  int width = 0;
  int height = 0;
};
Result<ImageSize> shortest_side_size(int width, int height, int size);

// cfg.size^2 by cfg.resize with cfg.resample: shortest side to cfg.size (long
// side truncated) and the centre square, or both sides to cfg.size. Either
// way only the cfg.size^2 output is resampled.
Result<RgbImage> resize_and_crop(const RgbImage& src, const PreprocessConfig& cfg);

// uint8 crop -> float32 NCHW, (x/255 - mean) / std.
std::vector<float> normalize_to_nchw(const RgbImage& crop, const PreprocessConfig& cfg);

// The whole path: encoded bytes -> float32 NCHW [3, size, size].
Result<std::vector<float>> preprocess_encoded(ByteView encoded, const PreprocessConfig& cfg);
Result<std::vector<float>> preprocess_rgba(const uint8_t* rgba, int width, int height,
                                           const PreprocessConfig& cfg);

// Thumbnail: longest side to max_side (never enlarged), Pillow bicubic. The
// short side is rounded to nearest, at least 1.
Result<RgbImage> make_thumbnail(const RgbImage& src, int max_side);

}  // namespace clip
