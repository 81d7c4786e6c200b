#include "core/image/to_rgb.h"

#include <cstring>

namespace clip {

namespace {

// Where source pixel (x, y) lands, as dst = origin + x*step_x + y*step_y
// (in pixels), for each EXIF orientation.
struct Placement {
  int64_t origin, step_x, step_y;
};

Placement placement(int orientation, int64_t w, int64_t h) {
  switch (orientation) {
    case 2: return {w - 1, -1, w};
    case 3: return {h * w - 1, -1, -w};
    case 4: return {(h - 1) * w, 1, -w};
    case 5: return {0, h, 1};
    case 6: return {h - 1, h, -1};
    case 7: return {w * h - 1, -h, -1};
    case 8: return {(w - 1) * h, -h, 1};
    default: return {0, 1, w};
  }
}

}  // namespace

RgbImage to_rgb(const uint8_t* src, int width, int height, int channels, int orientation) {
  RgbImage out;
  const bool swap = orientation >= 5 && orientation <= 8;
  out.width = swap ? height : width;
  out.height = swap ? width : height;
  const size_t count = size_t(width) * size_t(height);
  out.pixels.resize(count * 3);
  uint8_t* dst = out.pixels.data();
  if (channels == 3 && (orientation < 2 || orientation > 8)) {
    std::memcpy(dst, src, count * 3);
    return out;
  }
  const Placement pl = placement(orientation, width, height);
  for (int y = 0; y < height; ++y) {
    const uint8_t* s = src + size_t(y) * size_t(width) * size_t(channels);
    int64_t at = pl.origin + int64_t(y) * pl.step_y;
    if (channels == 4) {
      for (int x = 0; x < width; ++x, s += 4, at += pl.step_x) {
        uint8_t* d = dst + at * 3;
        const uint32_t a = s[3];
        d[0] = over_white(s[0], a);
        d[1] = over_white(s[1], a);
        d[2] = over_white(s[2], a);
      }
    } else {
      for (int x = 0; x < width; ++x, s += 3, at += pl.step_x) {
        uint8_t* d = dst + at * 3;
        d[0] = s[0];
        d[1] = s[1];
        d[2] = s[2];
      }
    }
  }
  return out;
}

}  // namespace clip
