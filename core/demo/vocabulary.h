// The words of the demo dataset and what they look like. The captions and the
// `objects` lists use exactly these words.
#pragma once
#include <cstdint>

#include "core/demo/raster.h"

namespace clip::demo {

struct ColorWord {
  const char* name;
  uint8_t rgb[3];
};
constexpr ColorWord kColors[] = {
    {"red", {215, 35, 35}},    {"orange", {245, 140, 20}}, {"yellow", {245, 215, 35}},
    {"green", {40, 165, 60}},  {"blue", {35, 85, 215}},    {"purple", {130, 55, 175}},
    {"pink", {245, 135, 190}}, {"brown", {125, 75, 35}},   {"white", {248, 248, 248}},
    {"black", {18, 18, 18}},
};
constexpr int kColorCount = sizeof(kColors) / sizeof(kColors[0]);

struct ShapeWord {
  const char* name;
  const char* plural;
  Shape shape;
};
constexpr ShapeWord kShapes[kShapeCount] = {
    {"circle", "circles", Shape::circle},     {"square", "squares", Shape::square},
    {"triangle", "triangles", Shape::triangle}, {"star", "stars", Shape::star},
    {"heart", "hearts", Shape::heart},        {"cross", "crosses", Shape::cross},
};

// Radius ranges in pixels; the gap between them keeps the words honest.
struct SizeWord {
  const char* name;
  int min_radius, max_radius;
};
constexpr SizeWord kSizes[] = {{"small", 26, 32}, {"large", 46, 58}};

// A 3x3 grid: column and row 0 = left/top, 1 = middle, 2 = right/bottom.
struct PositionWord {
  const char* name;
  int column, row;
  const char* phrases[2];  // how captions say it; each contains `name`
};
constexpr PositionWord kPositions[] = {
    {"top left", 0, 0, {"in the top left corner", "at the top left"}},
    {"top", 1, 0, {"at the top", "at the top"}},
    {"top right", 2, 0, {"in the top right corner", "at the top right"}},
    {"left", 0, 1, {"on the left", "on the left side"}},
    {"center", 1, 1, {"in the center", "in the center"}},
    {"right", 2, 1, {"on the right", "on the right side"}},
    {"bottom left", 0, 2, {"in the bottom left corner", "at the bottom left"}},
    {"bottom", 1, 2, {"at the bottom", "at the bottom"}},
    {"bottom right", 2, 2, {"in the bottom right corner", "at the bottom right"}},
};
constexpr int kPositionCount = sizeof(kPositions) / sizeof(kPositions[0]);

}  // namespace clip::demo
