// The Chinese words of the demo dataset, row for row beside the English
// tables in vocabulary.h. Each word has a usual form and a variant a person
// might type instead (粉色 / 粉红色), so the Chinese text tower learns both.
#pragma once
#include "core/demo/vocabulary.h"

namespace clip::demo {

struct ZhWord {
  const char* forms[2];  // usual, variant (may repeat the usual)
};

constexpr ZhWord kColorsZh[] = {
    {{"红色", "红色"}}, {{"橙色", "橘色"}}, {{"黄色", "黄色"}}, {{"绿色", "绿色"}}, {{"蓝色", "蓝色"}},
    {{"紫色", "紫色"}}, {{"粉色", "粉红色"}}, {{"棕色", "褐色"}}, {{"白色", "白色"}}, {{"黑色", "黑色"}},
};
static_assert(sizeof(kColorsZh) / sizeof(kColorsZh[0]) == kColorCount, "one Chinese colour per colour");

constexpr ZhWord kShapesZh[] = {
    {{"圆形", "圆"}}, {{"正方形", "方块"}}, {{"三角形", "三角形"}},
    {{"星星", "五角星"}}, {{"心形", "爱心"}}, {{"十字", "十字形"}},
};
static_assert(sizeof(kShapesZh) / sizeof(kShapesZh[0]) == kShapeCount, "one Chinese shape per shape");

constexpr ZhWord kSizesZh[] = {{{"小", "小小"}}, {{"大", "大大"}}};
static_assert(sizeof(kSizesZh) / sizeof(kSizesZh[0]) == sizeof(kSizes) / sizeof(kSizes[0]),
              "one Chinese size per size");

constexpr ZhWord kPositionsZh[] = {
    {{"左上角", "左上方"}}, {{"上方", "顶部"}},   {{"右上角", "右上方"}},
    {{"左边", "左侧"}},     {{"中间", "中央"}},   {{"右边", "右侧"}},
    {{"左下角", "左下方"}}, {{"下方", "底部"}},   {{"右下角", "右下方"}},
};
static_assert(sizeof(kPositionsZh) / sizeof(kPositionsZh[0]) == kPositionCount, "one Chinese position per position");

}  // namespace clip::demo
