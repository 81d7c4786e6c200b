// --part I/N: run N indexing jobs over one input (Slurm array, Kubernetes
// indexed Job, GNU parallel), each keeping the inputs whose id hashes to its
// part, then `clipsearch merge` the N folders. Hashing the id (not counting
// rows) keeps an input in the same part when rows are added or reordered.
#pragma once
#include <cstdint>
#include <string>

#include "core/util/result.h"

namespace clipsearch {

struct Part {
  uint32_t index = 1;  // 1-based, as in "--part 3/8"
  uint32_t count = 1;
  bool all() const { return count == 1; }
  std::string text() const { return std::to_string(index) + "/" + std::to_string(count); }
};

clip::Result<Part> parse_part(const std::string& text);

// Part of an id: 1 + (first 8 bytes of SHA-256(id), big-endian) mod count.
uint32_t part_of(const std::string& id, uint32_t count);

}  // namespace clipsearch
