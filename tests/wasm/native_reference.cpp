// The native side of the wasm shard and search tests, for what the CLI cannot
// do (search with a raw query vector, write one shard from given vectors): it
// makes the same core calls the bindings make, so node can compare the two
// builds' outputs byte for byte. (Tensors come from `clipsearch preprocess`.)
//
//   wasm_native_reference encode-shard SPEC.json OUT.bin
//   wasm_native_reference search SPEC.json SHARD...  JSON hits on stdout
//
// SPEC.json for encode-shard: {fingerprint, dim, binary, records: [{id,
// caption, source, thumb, width, height, sha256 (hex)}], embeddings: [float]}; for search:
// {query: [float], k, minScore, excludeId, binary, oversample}.
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/index/shard.h"
#include "core/search/search.h"

namespace {

using nlohmann::json;

std::vector<uint8_t> read_bytes(const char* path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool write_bytes(const char* path, const void* data, size_t size) {
  std::ofstream out(path, std::ios::binary);
  out.write(static_cast<const char*>(data), std::streamsize(size));
  return bool(out);
}

int fail(const std::string& message) {
  std::fprintf(stderr, "wasm_native_reference: %s\n", message.c_str());
  return 1;
}

int encode_shard(const char* spec_path, const char* out_path) {
  json spec = json::parse(read_bytes(spec_path));
  clip::ShardContents c;
  c.model_fingerprint = spec.at("fingerprint");
  c.dim = spec.at("dim");
  c.with_binary_codes = spec.value("binary", true);
  for (const json& r : spec.at("records")) {
    clip::ImageRecord rec;
    rec.id = r.value("id", "");
    rec.caption = r.value("caption", "");
    rec.source = r.value("source", "");
    rec.thumb = r.value("thumb", "");
    rec.width = r.value("width", 0u);
    rec.height = r.value("height", 0u);
    std::string hex = r.value("sha256", "");
    for (size_t i = 0; i < rec.content_sha256.size() && 2 * i + 2 <= hex.size(); ++i) {
      rec.content_sha256[i] = uint8_t(std::stoul(hex.substr(2 * i, 2), nullptr, 16));
    }
    c.records.push_back(rec);
  }
  c.embeddings = spec.at("embeddings").get<std::vector<float>>();
  clip::Result<std::vector<uint8_t>> bytes = clip::encode_shard(c);
  if (!bytes) return fail(bytes.message());
  return write_bytes(out_path, bytes->data(), bytes->size()) ? 0 : fail(std::string("cannot write ") + out_path);
}

int search(const char* spec_path, int shard_count, char** shard_paths) {
  json spec = json::parse(read_bytes(spec_path));
  clip::Searcher searcher;
  for (int i = 0; i < shard_count; ++i) {
    clip::Result<clip::Shard> shard = clip::Shard::parse(read_bytes(shard_paths[i]), shard_paths[i]);
    if (!shard) return fail(shard.message());
    clip::Status added = searcher.add_shard(std::make_shared<const clip::Shard>(std::move(shard).value()));
    if (!added) return fail(added.message());
  }
  std::vector<float> query = spec.at("query").get<std::vector<float>>();
  clip::SearchOptions opts;
  opts.k = spec.value("k", opts.k);
  opts.min_score = spec.value("minScore", opts.min_score);
  opts.exclude_id = spec.value("excludeId", opts.exclude_id);
  opts.binary_first_pass = spec.value("binary", opts.binary_first_pass);
  opts.oversample = spec.value("oversample", opts.oversample);
  clip::Result<std::vector<clip::Hit>> hits = searcher.search(query.data(), query.size(), opts);
  if (!hits) return fail(hits.message());
  json out = json::array();
  for (const clip::Hit& h : *hits) {
    // Scores as float bits: the comparison is exact, not through decimal text.
    uint32_t bits;
    static_assert(sizeof bits == sizeof h.score);
    std::memcpy(&bits, &h.score, sizeof bits);
    out.push_back({{"id", searcher.shard(h.shard).record(h.row).id}, {"scoreBits", bits},
                   {"shard", h.shard}, {"row", h.row}});
  }
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "encode-shard" && argc == 4) return encode_shard(argv[2], argv[3]);
  if (cmd == "search" && argc >= 4) return search(argv[2], argc - 3, argv + 3);
  return fail("usage: encode-shard SPEC.json OUT.bin | search SPEC.json SHARD...");
}
