// Chinese captions for a demo picture, written for themselves (not
// translated): 红色的圆形, 左边有一个蓝色的星星, 两个形状：一个蓝色的正方形和一个黄色的星星.
// What to mention and how to word it are drawn at random, as in English.
#pragma once
#include <vector>

#include "core/demo/demo_rng.h"
#include "core/demo/shapes.h"

namespace clip::demo {

DemoCaption write_caption_zh(const std::vector<DemoObject>& objects, DemoRng& rng);

}  // namespace clip::demo
