// Thumbnails for the index: the same Pillow bicubic as the model input, over
// the whole image.
#include <string>

#include "core/image/preprocess.h"

namespace clip {

Result<RgbImage> make_thumbnail(const RgbImage& src, int max_side) {
  if (max_side <= 0) return make_error("thumbnail: max side must be positive, got " + std::to_string(max_side));
  const int64_t w = src.width, h = src.height;
  if (w <= 0 || h <= 0) return make_error("thumbnail: empty source image");
  if (w <= max_side && h <= max_side) return src;  // never enlarged
  // Long side to max_side, short side rounded to nearest (at least 1).
  const int64_t long_side = w >= h ? w : h, short_side = w >= h ? h : w;
  int64_t scaled = (2 * short_side * max_side + long_side) / (2 * long_side);
  if (scaled < 1) scaled = 1;
  const int tw = w >= h ? max_side : int(scaled), th = w >= h ? int(scaled) : max_side;
  return resize_window(src, tw, th, 0, 0, tw, th);
}

}  // namespace clip
