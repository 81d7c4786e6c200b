// clipsearch verify: is an index folder intact? Every shard against its
// manifest entry (size, SHA-256) and its own section checksums, every
// thumbnail present. Prints each problem; exits 1 when there is any.
//   clipsearch verify photos.index
#include <cstdio>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/util/sha256.h"
#include "tools/clipsearch/cli_common.h"
#include "tools/clipsearch/commands.h"
#include "tools/pipeline/file_io.h"
#include "tools/pipeline/index_folder.h"

namespace fs = std::filesystem;

namespace clipsearch {
namespace {

int run(const std::string& dir) {
  auto manifest = read_index_manifest(dir);
  if (!manifest.ok()) return fail("verify", manifest.message());
  std::vector<std::string> problems;
  std::set<std::string> ids;
  size_t thumbs = 0, vectors = 0;
  for (const auto& e : manifest->shards) {
    const std::string path = join_path(dir, e.file);
    auto bytes = read_file(path, std::max<uint64_t>(e.bytes, 1) * 2);
    if (!bytes.ok()) {
      problems.push_back(bytes.message());
      continue;
    }
    if (bytes->size() != e.bytes)
      problems.push_back(path + ": " + std::to_string(bytes->size()) + " bytes, manifest.json says " +
                         std::to_string(e.bytes));
    if (clip::to_hex(clip::sha256(bytes->data(), bytes->size())) != e.sha256)
      problems.push_back(path + ": SHA-256 differs from manifest.json");
    auto shard = clip::Shard::parse(std::move(*bytes), path);
    if (!shard.ok()) {
      problems.push_back(shard.message());
      continue;
    }
    if (shard->count() != e.count)
      problems.push_back(path + ": holds " + std::to_string(shard->count()) + " vectors, manifest.json says " +
                         std::to_string(e.count));
    if (shard->model_fingerprint() != manifest->model_fingerprint || shard->dim() != manifest->dim)
      problems.push_back(path + ": model fingerprint or dim differs from manifest.json");
    vectors += shard->count();
    for (uint32_t r = 0; r < shard->count(); ++r) {
      const auto& rec = shard->record(r);
      if (!ids.insert(rec.id).second) problems.push_back(path + ": id '" + rec.id + "' appears more than once");
      if (rec.thumb.empty()) continue;
      ++thumbs;
      std::error_code ec;
      if (!is_safe_thumb_path(rec.thumb))
        problems.push_back(path + ": row " + std::to_string(r) + " names thumbnail '" + rec.thumb +
                           "' outside thumbs/");
      else if (!fs::is_regular_file(join_path(dir, rec.thumb), ec))
        problems.push_back(join_path(dir, rec.thumb) + ": thumbnail of '" + rec.id + "' is missing");
    }
  }
  for (const auto& p : problems) std::printf("damaged: %s\n", p.c_str());
  if (!problems.empty())
    return fail("verify", dir + " is damaged: " + std::to_string(problems.size()) + " problem(s), first: " +
                              problems.front());
  std::error_code ec;
  if (fs::exists(join_path(dir, kJournalFile), ec))
    std::printf("note: %s holds an unfinished indexing run (journal.json); the index is the last finished one\n",
                dir.c_str());
  std::printf("ok: %zu vectors in %zu shards, %zu thumbnails\n", vectors, manifest->shards.size(), thumbs);
  return 0;
}

CommandRegistrar reg("verify", "Check an index folder: shard checksums and SHA-256, thumbnails", [](CLI::App& sub) {
  auto dir = std::make_shared<std::string>();
  sub.add_option("index", *dir, "Index folder")->required();
  return [dir] { return run(*dir); };
});

}  // namespace
}  // namespace clipsearch
