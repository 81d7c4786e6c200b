// Small utilities: SHA-256, the search kernel's name, and the shard writer
// (for tests and for pages that build small indexes themselves).
#include <emscripten/bind.h>

#include "core/index/shard.h"
#include "core/search/kernels.h"
#include "core/util/sha256.h"
#include "wasm/js_convert.h"

namespace clipwasm {
namespace {

std::string sha256_hex(const val& bytes) {
  std::vector<uint8_t> b = bytes_from_js(bytes);
  return clip::to_hex(clip::sha256(b.data(), b.size()));
}

std::string kernel_name() { return clip::best_kernels().name; }

val encode_shard(const val& spec) {
  clip::ShardContents c;
  read_string(spec, "fingerprint", &c.model_fingerprint);
  c.dim = spec["dim"].as<uint32_t>();
  if (!spec["binary"].isUndefined()) c.with_binary_codes = spec["binary"].as<bool>();
  val records = spec["records"];
  size_t n = records["length"].as<size_t>();
  for (size_t i = 0; i < n; ++i) {
    val r = records[i];
    clip::ImageRecord rec;
    read_string(r, "id", &rec.id);
    read_string(r, "caption", &rec.caption);
    read_string(r, "source", &rec.source);
    read_string(r, "thumb", &rec.thumb);
    if (!r["width"].isUndefined()) rec.width = r["width"].as<uint32_t>();
    if (!r["height"].isUndefined()) rec.height = r["height"].as<uint32_t>();
    std::string hex;
    if (read_string(r, "sha256", &hex) && !clip::sha256_from_hex(hex, &rec.content_sha256)) {
      return js_error("encodeShard: records[" + std::to_string(i) + "].sha256 is not 64 hex digits");
    }
    c.records.push_back(std::move(rec));
  }
  c.embeddings = floats_from_js(spec["embeddings"]);
  clip::Result<std::vector<uint8_t>> bytes = clip::encode_shard(c);
  if (!bytes) return js_error(bytes.message());
  return copy_to_js(*bytes);
}

}  // namespace

EMSCRIPTEN_BINDINGS(clipsearch_util) {
  using emscripten::function;
  function("sha256Hex", &sha256_hex);
  function("kernelName", &kernel_name);
  function("encodeShard", &encode_shard);
}

}  // namespace clipwasm
