// Scene sampling and drawing for the demo dataset: one or two shapes that do
// not touch, on a background chosen to contrast with every object's colour.
#include "core/demo/shapes.h"

#include <algorithm>

#include "core/demo/caption.h"
#include "core/demo/caption_zh.h"
#include "core/demo/demo_rng.h"
#include "core/demo/raster.h"
#include "core/demo/vocabulary.h"

namespace clip {
namespace {

using demo::DemoRng;

// Random streams per image: 0 draws the picture, 1 + v English caption
// variant v, "zh" << 32 | v Chinese caption variant v.
constexpr uint64_t kSceneStream = 0, kCaptionStream = 1, kZhCaptionStream = 0x7a68ull << 32;

constexpr int kSide = kDemoImageSize;
constexpr int kMinContrast2 = 100 * 100;  // squared RGB distance object <-> background
constexpr int kColorJitter = 10;          // per channel, keeps every colour's name true
constexpr int kNoise = 10;                // background noise amplitude

struct Placed {
  DemoObject words;
  demo::Shape shape;
  uint8_t rgb[3];
};

uint8_t clamp8(int v) { return static_cast<uint8_t>(std::clamp(v, 0, 255)); }

int distance2(const uint8_t a[3], const uint8_t b[3]) {
  int d = 0;
  for (int c = 0; c < 3; ++c) d += (a[c] - b[c]) * (a[c] - b[c]);
  return d;
}

// Centre along one axis for grid cell 0/1/2, keeping the whole shape inside.
int axis_center(int cell, int radius, DemoRng& rng) {
  int margin = static_cast<int>(radius * demo::kShapeReach) + 4;
  if (cell == 0) return margin + rng.range(0, 10);
  if (cell == 2) return kSide - margin - rng.range(0, 10);
  return kSide / 2 + rng.range(-8, 8);
}

Placed sample_object(DemoRng& rng) {
  const demo::ShapeWord& shape = demo::kShapes[rng.below(demo::kShapeCount)];
  const demo::ColorWord& color = demo::kColors[rng.below(demo::kColorCount)];
  const demo::SizeWord& size = demo::kSizes[rng.below(2)];
  const demo::PositionWord& pos = demo::kPositions[rng.below(demo::kPositionCount)];
  Placed p;
  p.shape = shape.shape;
  p.words.shape = shape.name;
  p.words.color = color.name;
  p.words.size = size.name;
  p.words.position = pos.name;
  p.words.radius = rng.range(size.min_radius, size.max_radius);
  p.words.cx = axis_center(pos.column, p.words.radius, rng);
  p.words.cy = axis_center(pos.row, p.words.radius, rng);
  for (int c = 0; c < 3; ++c) p.rgb[c] = clamp8(color.rgb[c] + rng.range(-kColorJitter, kColorJitter));
  return p;
}

bool apart(const Placed& a, const Placed& b) {
  if (a.words.position == b.words.position) return false;
  int dx = a.words.cx - b.words.cx, dy = a.words.cy - b.words.cy;
  double gap = (a.words.radius + b.words.radius) * demo::kShapeReach + 4;
  return dx * dx + dy * dy >= gap * gap;
}

std::vector<Placed> sample_objects(DemoRng& rng) {
  std::vector<Placed> objects{sample_object(rng)};
  if (rng.below(100) < 40) {
    for (int attempt = 0; attempt < 32; ++attempt) {
      Placed second = sample_object(rng);
      if (apart(objects[0], second)) {
        objects.push_back(second);
        break;
      }
    }
  }
  return objects;
}

enum class Fill { solid, horizontal, vertical, diagonal };

struct Background {
  Fill fill = Fill::solid;
  bool noisy = false;
  uint8_t a[3] = {}, b[3] = {};  // gradient ends (a only when solid)
  uint64_t noise_key = 0;
};

// Low-saturation light, mid or dark tones: none reads as a named colour.
void sample_tone(int tone, DemoRng& rng, uint8_t out[3]) {
  static const int kLevels[3][2] = {{200, 240}, {105, 145}, {20, 60}};
  int level = rng.range(kLevels[tone][0], kLevels[tone][1]);
  for (int c = 0; c < 3; ++c) out[c] = clamp8(level + rng.range(-8, 8));
}

bool contrasts(const Background& bg, const std::vector<Placed>& objects) {
  for (const Placed& o : objects)
    if (distance2(o.rgb, bg.a) < kMinContrast2 || distance2(o.rgb, bg.b) < kMinContrast2) return false;
  return true;
}

Background sample_background(const std::vector<Placed>& objects, DemoRng& rng) {
  Background bg;
  bg.noisy = rng.below(100) < 25;
  bg.noise_key = rng.next();
  for (int attempt = 0; attempt < 32; ++attempt) {
    bg.fill = static_cast<Fill>(rng.below(4) == 0 ? rng.range(1, 3) : 0);
    int tone = rng.range(0, 2);
    sample_tone(tone, rng, bg.a);
    if (bg.fill == Fill::solid) std::copy(bg.a, bg.a + 3, bg.b);
    else sample_tone(tone, rng, bg.b);
    if (contrasts(bg, objects)) return bg;
  }
  // Every pair of palette colours contrasts with some plain tone: take the best.
  static const uint8_t kPlain[3][3] = {{220, 220, 220}, {125, 125, 125}, {40, 40, 40}};
  int best = 0, best_score = -1;
  for (int t = 0; t < 3; ++t) {
    int score = 1 << 30;
    for (const Placed& o : objects) score = std::min(score, distance2(o.rgb, kPlain[t]));
    if (score > best_score) best = t, best_score = score;
  }
  bg.fill = Fill::solid;
  std::copy(kPlain[best], kPlain[best] + 3, bg.a);
  std::copy(kPlain[best], kPlain[best] + 3, bg.b);
  return bg;
}

void paint_background(RgbImage& img, const Background& bg) {
  for (int y = 0; y < kSide; ++y) {
    for (int x = 0; x < kSide; ++x) {
      int t = 0;  // 0..256 along the gradient, integer so it is exact everywhere
      if (bg.fill == Fill::horizontal) t = x * 256 / (kSide - 1);
      if (bg.fill == Fill::vertical) t = y * 256 / (kSide - 1);
      if (bg.fill == Fill::diagonal) t = (x + y) * 256 / (2 * kSide - 2);
      int noise = 0;
      if (bg.noisy) {
        uint64_t h = demo::mix64(bg.noise_key + static_cast<uint64_t>(y) * kSide + x);
        noise = static_cast<int>(h % (2 * kNoise + 1)) - kNoise;
      }
      uint8_t* p = &img.pixels[(static_cast<size_t>(y) * kSide + x) * 3];
      for (int c = 0; c < 3; ++c) p[c] = clamp8((bg.a[c] * (256 - t) + bg.b[c] * t + 128) / 256 + noise);
    }
  }
}

// The `name` column of a word table.
template <class Word, size_t N>
std::vector<std::string> names_of(const Word (&table)[N]) {
  std::vector<std::string> out;
  for (const Word& w : table) out.push_back(w.name);
  return out;
}

}  // namespace

DemoSample render_demo_sample(uint64_t seed, uint64_t index) {
  DemoRng rng(seed, index, kSceneStream);
  std::vector<Placed> placed = sample_objects(rng);
  Background bg = sample_background(placed, rng);

  DemoSample sample;
  sample.image.width = sample.image.height = kSide;
  sample.image.pixels.resize(static_cast<size_t>(kSide) * kSide * 3);
  paint_background(sample.image, bg);
  for (const Placed& p : placed) {
    demo::paint_shape(sample.image, p.shape, p.words.cx, p.words.cy, p.words.radius, p.rgb);
    sample.objects.push_back(p.words);
  }
  DemoCaption caption = demo_caption(seed, index, sample.objects, 0);
  sample.caption = std::move(caption.text);
  sample.describes = std::move(caption.describes);
  DemoCaption zh = demo_caption_zh(seed, index, sample.objects, 0);
  sample.caption_zh = std::move(zh.text);
  sample.describes_zh = std::move(zh.describes);
  return sample;
}

DemoCaption demo_caption(uint64_t seed, uint64_t index, const std::vector<DemoObject>& objects,
                         uint32_t variant) {
  DemoRng rng(seed, index, kCaptionStream + variant);
  return demo::write_caption(objects, rng);
}

DemoCaption demo_caption_zh(uint64_t seed, uint64_t index, const std::vector<DemoObject>& objects,
                            uint32_t variant) {
  DemoRng rng(seed, index, kZhCaptionStream | variant);
  return demo::write_caption_zh(objects, rng);
}

const std::vector<std::string>& demo_shapes() {
  static const std::vector<std::string> v = names_of(demo::kShapes);
  return v;
}
const std::vector<std::string>& demo_colors() {
  static const std::vector<std::string> v = names_of(demo::kColors);
  return v;
}
const std::vector<std::string>& demo_sizes() {
  static const std::vector<std::string> v = names_of(demo::kSizes);
  return v;
}
const std::vector<std::string>& demo_positions() {
  static const std::vector<std::string> v = names_of(demo::kPositions);
  return v;
}

}  // namespace clip
