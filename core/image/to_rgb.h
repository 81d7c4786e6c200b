// Decoded pixels -> RgbImage: alpha composited over white, EXIF orientation
// applied in the same pass (no second full-size buffer).
#pragma once
#include <cstdint>

#include "core/image/preprocess.h"

namespace clip {

// Pillow's alpha_composite onto opaque white. Its 7-bit fixed point reduces,
// for an opaque background, to this rounded division by 255 (checked against
// Pillow for all 65536 (value, alpha) pairs).
inline uint8_t over_white(uint32_t value, uint32_t alpha) {
  return uint8_t((value * alpha + 255 * (255 - alpha) + 127) / 255);
}

// `channels` is 3 (RGB) or 4 (RGBA); `orientation` is EXIF 1-8 (Pillow's
// ImageOps.exif_transpose: 2 mirror, 3 rotate 180, 4 flip, 5 transpose,
// 6 rotate 90 clockwise, 7 transverse, 8 rotate 90 counter-clockwise).
RgbImage to_rgb(const uint8_t* pixels, int width, int height, int channels, int orientation);

}  // namespace clip
