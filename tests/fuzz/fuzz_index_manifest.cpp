// parse_index_manifest on hostile JSON (the page fetches manifest.json from
// any URL). A manifest that parses must survive a round trip: serialising it
// and parsing that gives the same fields.
#include <string_view>

#include "core/index/index_manifest.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  clip::Result<clip::IndexManifest> m = clip::parse_index_manifest(text);
  if (!m) {
    FUZZ_CHECK(m.message().rfind("manifest.json: ", 0) == 0, "error does not name the file: %s", m.message().c_str());
    return 0;
  }
  const std::string json = clip::serialize_index_manifest(*m);
  clip::Result<clip::IndexManifest> back = clip::parse_index_manifest(json);
  FUZZ_CHECK(back.ok(), "serialised manifest does not parse: %s\n%s", back.message().c_str(), json.c_str());
  FUZZ_CHECK(clip::serialize_index_manifest(*back) == json, "round trip changed the manifest:\n%s", json.c_str());
  uint64_t total = 0;
  for (const clip::ShardEntry& e : back->shards) total += e.count;
  FUZZ_CHECK(total == back->count, "count %llu but shards hold %llu", (unsigned long long)back->count,
             (unsigned long long)total);
  return 0;
}
