// Image decoding on hostile bytes: sniff, header probe, EXIF orientation,
// stb_image, alpha/gray conversion, the windowed Pillow resize, normalise and
// thumbnails. The pixel limit is small (0.26 MP) so a header that declares a
// huge image is refused, as it would be by the indexer, instead of making
// every run slow; limits themselves are tested in tests/native/image.
//
// The same input is also read as raw RGBA (what the page hands over for
// formats the browser decodes): first byte picks the width, so 1 x N strips
// and other extreme aspect ratios come up. Both resize rules run: CLIP's
// shortest side + centre crop and Chinese-CLIP's exact resize.
#include <algorithm>
#include <cmath>

#include "core/image/preprocess.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

constexpr uint64_t kMaxPixels = 1 << 18;

void check_tensor(const std::vector<float>& t, int size, const char* path) {
  FUZZ_CHECK(t.size() == size_t(3) * size * size, "%s: tensor of %zu floats for size %d", path, t.size(), size);
  for (float v : t) FUZZ_CHECK(std::isfinite(v), "%s: non-finite value in the tensor", path);
}

void encoded(const uint8_t* data, size_t size) {
  clip::PreprocessConfig cfg;
  cfg.limits.max_pixels = kMaxPixels;
  const clip::ByteView bytes(data, size);

  clip::Result<clip::ImageInfo> info = clip::probe_image(bytes, cfg.limits);
  clip::Result<clip::RgbImage> image = clip::decode_image(bytes, cfg.limits);
  FUZZ_CHECK(!image || info, "decoded an image the probe refused: %s", info ? "" : info.message().c_str());
  if (!image) return;
  FUZZ_CHECK(image->width == info->width && image->height == info->height,
             "probe says %dx%d, decode gives %dx%d", info->width, info->height, image->width, image->height);
  FUZZ_CHECK(image->pixels.size() == size_t(image->width) * image->height * 3, "pixel buffer size");

  // preprocess_encoded() is decode_image() + these two; the decode is not repeated.
  clip::Result<clip::RgbImage> crop = clip::resize_and_crop(*image, cfg);
  FUZZ_CHECK(crop.ok(), "no crop of a decoded %dx%d image: %s", image->width, image->height, crop.message().c_str());
  check_tensor(clip::normalize_to_nchw(*crop, cfg), cfg.size, "preprocess");
  clip::PreprocessConfig exact = cfg;
  exact.resize = clip::ResizeRule::exact;
  clip::Result<clip::RgbImage> squashed = clip::resize_and_crop(*image, exact);
  FUZZ_CHECK(squashed.ok(), "no exact resize of a decoded %dx%d image: %s", image->width, image->height,
             squashed.message().c_str());
  FUZZ_CHECK(squashed->width == exact.size && squashed->height == exact.size, "exact resize gave %dx%d",
             squashed->width, squashed->height);
  clip::Result<clip::RgbImage> thumb = clip::make_thumbnail(*image, 64);
  FUZZ_CHECK(thumb.ok(), "no thumbnail for a decoded %dx%d image: %s", image->width, image->height,
             thumb.message().c_str());
  FUZZ_CHECK(thumb->width <= 64 && thumb->height <= 64 && thumb->width >= 1 && thumb->height >= 1,
             "thumbnail %dx%d", thumb->width, thumb->height);
}

void rgba(const uint8_t* data, size_t size) {
  fuzz::Bytes in(data, size);
  const int width = 1 + in.u8();
  const uint8_t second = in.u8();
  const int crop = 1 + second % 240;
  const size_t pixels = in.remaining() / 4;
  const int height = int(pixels / size_t(width));
  if (height == 0) return;
  std::string_view px = in.take(size_t(width) * height * 4);
  clip::PreprocessConfig cfg;
  cfg.size = crop;
  cfg.limits.max_pixels = kMaxPixels;
  if (second >= 240) cfg.resize = clip::ResizeRule::exact;
  clip::Result<std::vector<float>> t =
      clip::preprocess_rgba(reinterpret_cast<const uint8_t*>(px.data()), width, height, cfg);
  // The exact rule refuses only a shrink of more than 4096 source pixels per output pixel.
  const bool too_elongated = cfg.resize == clip::ResizeRule::exact && std::max(width, height) / crop > 4096;
  if (too_elongated) {
    FUZZ_CHECK(!t.ok() && t.message().find("too elongated") != std::string::npos, "%dx%d -> %d exactly: %s", width,
               height, crop, t.ok() ? "accepted" : t.message().c_str());
    return;
  }
  FUZZ_CHECK(t.ok(), "preprocess_rgba refused %dx%d -> %d: %s", width, height, crop, t.message().c_str());
  check_tensor(*t, crop, "preprocess_rgba");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  encoded(data, size);
  rgba(data, size);
  return 0;
}
