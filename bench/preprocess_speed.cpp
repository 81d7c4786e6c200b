// Image preprocessing speed on one core, per image: decode (stb_image + EXIF
// orientation + alpha over white), then resize + centre crop + normalise, as
// `clipsearch index` and the page run them (core/image/preprocess.h). Prints
// one JSON object per image; bench/preprocess_speed.py sets these beside
// Pillow + NumPy doing the same steps.
//
//   clipsearch_bench_preprocess [--seconds 0.5] IMAGE...
#include <cstdio>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/harness.h"
#include "core/image/preprocess.h"

namespace {

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 0.5;
  std::vector<std::string> images;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--seconds" && i + 1 < argc) seconds = std::atof(argv[++i]);
    else images.push_back(argv[i]);
  }
  if (images.empty()) {
    std::fprintf(stderr, "usage: clipsearch_bench_preprocess [--seconds S] IMAGE...\n");
    return 2;
  }
  const clip::PreprocessConfig cfg;
  for (const std::string& path : images) {
    const std::vector<uint8_t> bytes = read_file(path);
    const clip::ByteView view(bytes.data(), bytes.size());
    auto decoded = clip::decode_image(view, cfg.limits);
    if (!decoded) {
      std::fprintf(stderr, "%s: %s\n", path.c_str(), decoded.message().c_str());
      return 1;
    }
    volatile size_t sink = 0;
    const bench::Timing decode = bench::time_median([&] { sink = sink + clip::decode_image(view, cfg.limits)->pixels.size(); },
                                                    3, seconds);
    const bench::Timing rest = bench::time_median(
        [&] {
          auto crop = clip::resize_and_crop(*decoded, cfg);
          sink = sink + clip::normalize_to_nchw(*crop, cfg).size();
        },
        3, seconds);
    const bench::Timing whole = bench::time_median([&] { sink = sink + clip::preprocess_encoded(view, cfg)->size(); },
                                                   3, seconds);
    const nlohmann::json row = {{"image", path},
                                {"width", decoded->width},
                                {"height", decoded->height},
                                {"decode_ms", 1e3 * decode.median_s},
                                {"rest_ms", 1e3 * rest.median_s},
                                {"total_ms", 1e3 * whole.median_s}};
    std::printf("%s\n", row.dump().c_str());
    std::fflush(stdout);
  }
  return 0;
}
