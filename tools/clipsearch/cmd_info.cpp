// clipsearch info: what an index folder holds, from its manifest and files.
//   clipsearch info photos.index [--json]
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "tools/clipsearch/cli_common.h"
#include "tools/clipsearch/commands.h"
#include "tools/pipeline/index_folder.h"

namespace fs = std::filesystem;

namespace clipsearch {
namespace {

struct Options {
  std::string index;
  bool json = false;
};

uint64_t folder_bytes(const std::string& dir, size_t* files) {
  uint64_t total = 0;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code size_ec;
    const auto n = it->file_size(size_ec);
    if (size_ec) continue;
    total += n;
    ++*files;
  }
  return total;
}

size_t count_lines(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return 0;
  size_t n = 0;
  for (int c; (c = std::fgetc(f)) != EOF;) n += c == '\n';
  std::fclose(f);
  return n;
}

int run(const Options& o) {
  auto m = read_index_manifest(o.index);
  if (!m.ok()) return fail("info", m.message());
  uint64_t shard_bytes = 0;
  for (const auto& e : m->shards) shard_bytes += e.bytes;
  size_t thumb_files = 0;
  const uint64_t thumb_bytes = folder_bytes(join_path(o.index, kThumbsDir), &thumb_files);
  std::error_code ec;
  const uint64_t manifest_bytes = fs::file_size(join_path(o.index, kManifestFile), ec);
  const size_t skipped = count_lines(join_path(o.index, kReportFile));
  const bool unfinished = fs::exists(join_path(o.index, kJournalFile), ec);
  const double n = m->count ? double(m->count) : 1.0;

  nlohmann::ordered_json j;
  j["index"] = o.index;
  j["count"] = m->count;
  j["shards"] = m->shards.size();
  j["dim"] = m->dim;
  j["quantization"] = m->quantization;
  j["binary_codes"] = m->binary_codes;
  j["model"] = {{"name", m->model_name}, {"fingerprint", m->model_fingerprint}, {"location", m->model_location}};
  j["tool_version"] = m->tool_version;
  j["created_utc"] = m->created_utc;
  j["bytes"] = {{"shards", shard_bytes},
                {"thumbs", thumb_bytes},
                {"manifest", manifest_bytes},
                {"total", shard_bytes + thumb_bytes + manifest_bytes}};
  j["bytes_per_image"] = {{"shards", m->count ? shard_bytes / n : 0.0}, {"thumbs", m->count ? thumb_bytes / n : 0.0}};
  j["thumbnails"] = thumb_files;
  j["skipped"] = skipped;
  j["unfinished_run"] = unfinished;
  if (o.json) {
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::printf("index       %s\n", o.index.c_str());
  std::printf("vectors     %llu in %zu shards, dim %u, %s%s\n", (unsigned long long)m->count, m->shards.size(), m->dim,
              m->quantization.c_str(), m->binary_codes ? " + sign bits" : "");
  std::printf("model       %s (fingerprint %s)%s%s\n", m->model_name.c_str(), m->model_fingerprint.substr(0, 16).c_str(),
              m->model_location.empty() ? "" : ", at ", m->model_location.c_str());
  std::printf("size        %.2f MB shards + %.2f MB thumbnails (%zu files)\n", shard_bytes / 1e6, thumb_bytes / 1e6,
              thumb_files);
  std::printf("per image   %.0f bytes in shards, %.0f bytes of thumbnail\n", m->count ? shard_bytes / n : 0.0,
              m->count ? thumb_bytes / n : 0.0);
  std::printf("skipped     %zu inputs (report.jsonl)\n", skipped);
  std::printf("built       %s by clipsearch %s\n", m->created_utc.c_str(), m->tool_version.c_str());
  if (unfinished) std::printf("note        an indexing run into this folder is unfinished (journal.json)\n");
  return 0;
}

CommandRegistrar reg("info", "Show what an index folder holds: counts, model, sizes", [](CLI::App& sub) {
  auto o = std::make_shared<Options>();
  sub.add_option("index", o->index, "Index folder")->required();
  sub.add_flag("--json", o->json, "Print JSON");
  return [o] { return run(*o); };
});

}  // namespace
}  // namespace clipsearch
