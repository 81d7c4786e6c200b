// Filter and resize-rule names as model.json's image section spells them
// (and as the page passes them to the wasm bindings), parsed in one place.
#include <string>

#include "core/image/preprocess.h"

namespace clip {

Result<ResampleFilter> parse_resample_filter(std::string_view name) {
  if (name == "bicubic") return ResampleFilter::bicubic;
  if (name == "bilinear") return ResampleFilter::bilinear;
  return make_error("resample filter \"" + std::string(name) + "\" is unknown (expected \"bicubic\" or \"bilinear\")");
}

const char* resample_filter_name(ResampleFilter filter) {
  return filter == ResampleFilter::bilinear ? "bilinear" : "bicubic";
}

Result<ResizeRule> parse_resize_rule(std::string_view resize, std::string_view crop) {
  const std::string pair = "\"" + std::string(resize) + "\" with crop \"" + std::string(crop) + "\"";
  if (resize == "shortest_edge") {
    if (crop == "center") return ResizeRule::shortest_edge_center_crop;
    return make_error(pair + ": \"shortest_edge\" needs crop \"center\" (the model takes a square)");
  }
  if (resize == "exact") {
    if (crop == "none") return ResizeRule::exact;
    return make_error(pair + ": \"exact\" resizes to the square itself, so crop must be \"none\"");
  }
  return make_error(pair + ": resize rule \"" + std::string(resize) +
                    "\" is unknown (expected \"shortest_edge\" or \"exact\")");
}

const char* resize_rule_resize_name(ResizeRule rule) {
  return rule == ResizeRule::exact ? "exact" : "shortest_edge";
}

const char* resize_rule_crop_name(ResizeRule rule) { return rule == ResizeRule::exact ? "none" : "center"; }

}  // namespace clip
