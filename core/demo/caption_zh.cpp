#include "core/demo/caption_zh.h"

#include <string>

#include "core/demo/caption_mentions.h"
#include "core/demo/vocabulary_zh.h"

namespace clip::demo {
namespace {

// The Chinese form of an English word of `table`, usual or variant.
template <class Word, size_t N>
const char* zh_of(const Word (&table)[N], const ZhWord (&zh)[N], const std::string& name, DemoRng& rng) {
  for (size_t i = 0; i < N; ++i)
    if (name == table[i].name) return zh[i].forms[rng.below(4) == 0 ? 1 : 0];
  return name.c_str();
}

const char* color(const DemoObject& o, DemoRng& rng) { return zh_of(kColors, kColorsZh, o.color, rng); }
const char* shape(const DemoObject& o, DemoRng& rng) { return zh_of(kShapes, kShapesZh, o.shape, rng); }
const char* size(const DemoObject& o, DemoRng& rng) { return zh_of(kSizes, kSizesZh, o.size, rng); }
const char* position(const DemoObject& o, DemoRng& rng) { return zh_of(kPositions, kPositionsZh, o.position, rng); }

// "小的红色圆形", "红色的圆形", "红色圆形", "红色的图形", "圆形" (no 一个, no position).
std::string noun(const DemoObject& o, unsigned m, DemoRng& rng) {
  std::string s;
  if (m & kSize) s += std::string(size(o, rng)) + "的";
  if (m & kColor) {
    s += color(o, rng);
    // 的 after the colour reads naturally unless a size already took one.
    if (!(m & kSize) && rng.below(3) != 0) s += "的";
  }
  if (m & kShape) {
    s += shape(o, rng);
  } else {
    static const char* kThing[] = {"形状", "图形", "东西", "物体"};
    s += kThing[rng.below(4)];
  }
  return s;
}

// "一个红色的圆形" or "红色的圆形".
std::string counted(const DemoObject& o, unsigned m, DemoRng& rng) {
  return (rng.below(3) != 0 ? "一个" : "") + noun(o, m, rng);
}

// One object with its position: "左边有一个蓝色的星星", "蓝色的星星在左边",
// "左上角的红色圆形", "图片左侧有一个红色的圆形".
std::string placed(const DemoObject& o, unsigned m, DemoRng& rng) {
  const unsigned rest = m & ~kPosition;
  switch (rng.below(5)) {
    case 0: return noun(o, rest, rng) + "在" + position(o, rng);
    case 1: return std::string(position(o, rng)) + "的" + noun(o, rest, rng);
    case 2: return std::string("图片") + position(o, rng) + "有一个" + noun(o, rest, rng);
    case 3: return std::string("在") + position(o, rng) + "的" + noun(o, rest, rng);
    default: return std::string(position(o, rng)) + "有一个" + noun(o, rest, rng);
  }
}

std::string one_object(const DemoObject& o, unsigned m, DemoRng& rng) {
  if (m & kPosition) return placed(o, m, rng);
  switch (rng.below(8)) {
    case 0: return "一张" + noun(o, m, rng) + "的照片";
    case 1: return "一幅" + noun(o, m, rng) + "的图片";
    case 2: return "图中有" + counted(o, m, rng);
    case 3: return "画着" + counted(o, m, rng);
    case 4: return "这是" + counted(o, m, rng);
    case 5: return "一个" + noun(o, m, rng);
    default: return noun(o, m, rng);
  }
}

// One of two objects inside a sentence about both.
std::string part(const DemoObject& o, unsigned m, DemoRng& rng) {
  return (m & kPosition) ? placed(o, m, rng) : counted(o, m, rng);
}

std::string two_objects(const DemoObject& a, const DemoObject& b, unsigned m, DemoRng& rng) {
  if (!(m & kPosition) && claim(a, m).color == claim(b, m).color && claim(a, m).shape == claim(b, m).shape &&
      claim(a, m).size == claim(b, m).size) {
    std::string n = noun(a, m, rng);
    return rng.below(2) ? "两个" + n : "一张有两个" + n + "的图片";
  }
  if (m & kPosition) {  // 左边有一个蓝色的正方形，右边有一个黄色的星星
    const char* join = rng.below(2) ? "，" : "；";
    return placed(a, m, rng) + join + placed(b, m, rng);
  }
  const std::string first = part(a, m, rng), second = part(b, m, rng);
  switch (rng.below(7)) {
    case 0: return "两个形状：" + first + "和" + second;
    case 1: return first + "旁边有" + second;
    case 2: return "一张有" + first + "和" + second + "的照片";
    case 3: return first + "与" + second;
    case 4: return "图中有" + first + "，还有" + second;
    default: return first + "和" + second;
  }
}

}  // namespace

DemoCaption write_caption_zh(const std::vector<DemoObject>& objects, DemoRng& rng) {
  struct Chinese {
    std::string one(const DemoObject& o, unsigned m, DemoRng& r) const { return one_object(o, m, r); }
    std::string two(const DemoObject& a, const DemoObject& b, unsigned m, DemoRng& r) const {
      return two_objects(a, b, m, r);
    }
    std::string one_of_two(const DemoObject& o, unsigned m, DemoRng& r) const {
      static const char* kRest[] = {"和另一个形状", "，旁边还有一个图形", "和别的形状"};
      return part(o, m, r) + kRest[r.below(3)];
    }
  };
  return compose_caption(objects, rng, Chinese{});
}

}  // namespace clip::demo
