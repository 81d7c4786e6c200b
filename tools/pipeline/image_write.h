// Encodes RGB images for files the tool writes: JPEG thumbnails, PNG crops.
#pragma once
#include <cstdint>
#include <vector>

#include "core/image/preprocess.h"
#include "core/util/result.h"

namespace clipsearch {

clip::Result<std::vector<uint8_t>> encode_jpeg(const clip::RgbImage& image, int quality = 85);
clip::Result<std::vector<uint8_t>> encode_png(const clip::RgbImage& image);

}  // namespace clipsearch
