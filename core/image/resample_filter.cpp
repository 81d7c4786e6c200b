// Filter names as model.json's image.resample spells them (and as the page
// passes them to the wasm bindings), parsed in one place.
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

}  // namespace clip
