#include "tools/pipeline/partition.h"

#include <cstdlib>

#include "core/util/sha256.h"

namespace clipsearch {

clip::Result<Part> parse_part(const std::string& text) {
  const size_t slash = text.find('/');
  auto number = [](const std::string& s, uint32_t* out) {
    if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos) return false;
    *out = uint32_t(std::strtoul(s.c_str(), nullptr, 10));
    return true;
  };
  Part p;
  if (slash == std::string::npos || !number(text.substr(0, slash), &p.index) ||
      !number(text.substr(slash + 1), &p.count) || p.count == 0 || p.index == 0 || p.index > p.count)
    return clip::make_error("--part '" + text + "' must be I/N with 1 <= I <= N, e.g. --part 2/8");
  return p;
}

uint32_t part_of(const std::string& id, uint32_t count) {
  const auto h = clip::sha256(id.data(), id.size());
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | h[size_t(i)];
  return uint32_t(v % count) + 1;
}

}  // namespace clipsearch
