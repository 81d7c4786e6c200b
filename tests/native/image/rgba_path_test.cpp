// The browser path (canvas RGBA -> preprocess_rgba) and the file path
// (preprocess_encoded) give bit-identical tensors for the same pixels.
#include <gtest/gtest.h>

#include "image_test_util.h"

// The test reads raw RGBA itself, standing in for a canvas.
#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_STATIC
#define STBI_ONLY_PNG
#define STBI_NO_STDIO
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

class RgbaPath : public testing::TestWithParam<const char*> {};

TEST_P(RgbaPath, EqualsDecodePath) {
  const std::vector<uint8_t> png = test::read_bytes(test::image_data(GetParam()));
  int w = 0, h = 0, n = 0;
  stbi_uc* rgba = stbi_load_from_memory(png.data(), int(png.size()), &w, &h, &n, 4);
  ASSERT_NE(rgba, nullptr);
  PreprocessConfig cfg;
  Result<std::vector<float>> from_canvas = preprocess_rgba(rgba, w, h, cfg);
  stbi_image_free(rgba);
  Result<std::vector<float>> from_file = preprocess_encoded(png, cfg);
  ASSERT_TRUE(from_canvas.ok()) << from_canvas.message();
  ASSERT_TRUE(from_file.ok()) << from_file.message();
  EXPECT_EQ(*from_canvas, *from_file);
}

INSTANTIATE_TEST_SUITE_P(Png, RgbaPath,
                         testing::Values("golden/images/rgba_alpha_400x300.png",
                                         "golden/images/sk_logo.png", "golden/images/sk_horse.png",
                                         "fixtures/gray_alpha.png", "golden/images/sk_coffee.png"));

}  // namespace
}  // namespace clip
