// Encoded bytes -> RgbImage: sniff, header limits, completeness, stb_image,
// then alpha/gray/orientation in one pass. The only file that sees stb_image.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/image/exif_orientation.h"
#include "core/image/image_format.h"
#include "core/image/stream_check.h"
#include "core/image/to_rgb.h"
#include "core/image/preprocess.h"

namespace clip {
namespace {

// stb_image sizes some buffers from the data, not the header: a PNG's zlib
// stream is inflated into a buffer that doubles until the stream ends, so a
// small picture over a huge stream (a decompression bomb) could take
// gigabytes. While decode_image runs, every stb allocation is held to what an
// image of the header's size can need (StbAllocLimit below).
thread_local size_t stb_alloc_limit = SIZE_MAX;
thread_local size_t stb_alloc_refused = 0;  // size of the first refused request; 0 if none

void* stb_malloc(size_t n) {
  if (n > stb_alloc_limit) {
    if (!stb_alloc_refused) stb_alloc_refused = n;
    return nullptr;  // stb fails with "outofmem" and frees what it holds
  }
  return std::malloc(n);
}

void* stb_realloc(void* p, size_t n) {
  if (n > stb_alloc_limit) {
    if (!stb_alloc_refused) stb_alloc_refused = n;
    return nullptr;
  }
  return std::realloc(p, n);
}

}  // namespace
}  // namespace clip

// Inputs are bytes (no stdio, works under Emscripten); only the formats we
// sniff for are compiled in, so stb's heuristic detectors (TGA) never guess.
#define STBI_MALLOC(n) clip::stb_malloc(n)
#define STBI_REALLOC(p, n) clip::stb_realloc(p, n)
#define STBI_FREE(p) std::free(p)
#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_STATIC
#define STBI_NO_STDIO
#define STBI_ONLY_JPEG
#define STBI_ONLY_PNG
#define STBI_ONLY_BMP
#define STBI_ONLY_GIF
#define STBI_NO_LINEAR
#define STBI_NO_HDR
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wsign-compare"
#endif
#include <stb/stb_image.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

namespace clip {

namespace {

std::string megapixels(uint64_t pixels) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g MP", double(pixels) / 1e6);
  return buf;
}

Status check_dimensions(int64_t w, int64_t h, const DecodeLimits& limits) {
  const std::string dims = std::to_string(w) + "x" + std::to_string(h);
  if (w <= 0 || h <= 0) return make_error("image has no pixels (" + dims + ")");
  if (w > limits.max_side || h > limits.max_side)
    return make_error("image " + dims + " exceeds the " + std::to_string(limits.max_side) +
                      "-pixel side limit");
  if (uint64_t(w) * uint64_t(h) > limits.max_pixels)
    return make_error("image " + dims + " exceeds the " + megapixels(limits.max_pixels) + " limit");
  return ok_status();
}

// stb_image keeps its last error per thread; it may be unset.
const char* stb_reason() {
  const char* r = stbi_failure_reason();
  return r ? r : "unknown error";
}

int stb_length(ByteView b) { return b.size > size_t(INT32_MAX) ? INT32_MAX : int(b.size); }

// The most any one stb buffer needs for a w x h image: 16-bit RGBA (8 bytes
// a pixel) padded to whole JPEG MCUs, or twice the file (the PNG decoder
// gathers the compressed IDAT data in a doubling buffer).
class StbAllocLimit {
 public:
  StbAllocLimit(int w, int h, size_t file_bytes) {
    const uint64_t pixels = 8 * (uint64_t(w) + 32) * (uint64_t(h) + 32);
    const uint64_t limit = std::max<uint64_t>(pixels, 2 * uint64_t(file_bytes)) + (1 << 16);
    stb_alloc_limit = size_t(std::min<uint64_t>(limit, SIZE_MAX));
    stb_alloc_refused = 0;
  }
  ~StbAllocLimit() { stb_alloc_limit = SIZE_MAX; }
  StbAllocLimit(const StbAllocLimit&) = delete;
  StbAllocLimit& operator=(const StbAllocLimit&) = delete;
};

struct Header {
  ImageFormat format;
  int width, height;  // as stored
};

Result<Header> read_header(ByteView encoded, const DecodeLimits& limits) {
  Result<ImageFormat> format = decodable_format(encoded);
  CLIP_TRY(format);
  if (encoded.size > size_t(INT32_MAX)) return make_error("image file larger than 2 GiB");
  int64_t declared_w = 0, declared_h = 0;
  if (declared_size(encoded, *format, &declared_w, &declared_h)) {
    CLIP_TRY(check_dimensions(declared_w, declared_h, limits));
  }
  // Even stb's header parse builds Huffman tables: check the stream first.
  CLIP_TRY(check_stream(encoded, *format));
  int w = 0, h = 0, comp = 0;
  if (!stbi_info_from_memory(encoded.data, stb_length(encoded), &w, &h, &comp))
    return make_error(std::string("malformed ") + image_format_name(*format) +
                      " header (stb_image: " + stb_reason() + ")");
  CLIP_TRY(check_dimensions(w, h, limits));
  return Header{*format, w, h};
}

}  // namespace

Result<ImageInfo> probe_image(ByteView encoded, const DecodeLimits& limits) {
  Result<Header> header = read_header(encoded, limits);
  CLIP_TRY(header);
  ImageInfo info;
  info.format = header->format;
  info.orientation = exif_orientation(encoded, header->format);
  const bool swap = info.orientation >= 5;
  info.width = swap ? header->height : header->width;
  info.height = swap ? header->width : header->height;
  return info;
}

Result<RgbImage> decode_image(ByteView encoded, const DecodeLimits& limits) {
  Result<Header> header = read_header(encoded, limits);
  CLIP_TRY(header);
  const char* name = image_format_name(header->format);

  // JPEG has no alpha: ask for RGB and skip a byte per pixel. Everything else
  // comes as RGBA, the one layout that covers gray, palette and tRNS (with
  // req_comp 0 stb reports the file's channel count, not the buffer's).
  const int channels = header->format == ImageFormat::jpeg ? 3 : 4;
  int w = 0, h = 0, file_channels = 0;
  stbi_uc* pixels = nullptr;
  {
    StbAllocLimit limit(header->width, header->height, encoded.size);
    pixels = stbi_load_from_memory(encoded.data, stb_length(encoded), &w, &h, &file_channels, channels);
    if (!pixels && stb_alloc_refused)
      return make_error(std::string(name) + " data needs a buffer of " + std::to_string(stb_alloc_refused) +
                        " bytes, more than a " + std::to_string(header->width) + "x" +
                        std::to_string(header->height) + " image can (a decompression bomb?)");
  }
  if (!pixels)
    return make_error(std::string("cannot decode ") + name + " (stb_image: " + stb_reason() + ")");
  if (w != header->width || h != header->height) {
    stbi_image_free(pixels);
    return make_error(std::string(name) + " decoded to another size than its header says");
  }
  RgbImage rgb = to_rgb(pixels, w, h, channels, exif_orientation(encoded, header->format));
  stbi_image_free(pixels);
  return rgb;
}

Result<RgbImage> rgb_from_rgba(const uint8_t* rgba, int width, int height,
                               const DecodeLimits& limits) {
  CLIP_TRY(check_dimensions(width, height, limits));
  if (!rgba) return make_error("rgb_from_rgba: no pixel data");
  return to_rgb(rgba, width, height, 4, 1);
}

}  // namespace clip
