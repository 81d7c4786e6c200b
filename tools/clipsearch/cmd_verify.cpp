// clipsearch verify: is an index folder intact? Every shard against its
// manifest entry, through the core index's checks (size, SHA-256, the
// shard's own checksums, row count, dim, model, unique ids), every
// thumbnail present. Prints each problem; exits 1 when there is any.
//   clipsearch verify photos.index
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tools/clipsearch/cli_common.h"
#include "tools/clipsearch/commands.h"
#include "tools/pipeline/index_folder.h"

namespace fs = std::filesystem;

namespace clipsearch {
namespace {

int run(const std::string& dir) {
  LoadOptions all;
  all.check_sha256 = true;
  all.keep_going = true;
  auto loaded = load_index(dir, all);
  if (!loaded.ok()) return fail("verify", loaded.message());
  const clip::Index& index = loaded->index;
  std::vector<std::string> problems;
  for (const auto& r : index.refusals()) problems.push_back(join_path(dir, r.reason));
  size_t thumbs = 0;
  for (uint32_t i = 0; i < index.accepted_shards(); ++i) {
    const clip::Shard& shard = index.shard(i);
    const std::string path = join_path(dir, shard.name());
    for (uint32_t r = 0; r < shard.count(); ++r) {
      const auto& rec = shard.record(r);
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
  std::printf("ok: %zu vectors in %zu shards, %zu thumbnails\n", index.searchable_count(), index.accepted_shards(),
              thumbs);
  return 0;
}

CommandRegistrar reg("verify", "Check an index folder: shard checksums and SHA-256, thumbnails", [](CLI::App& sub) {
  auto dir = std::make_shared<std::string>();
  sub.add_option("index", *dir, "Index folder")->required();
  return [dir] { return run(*dir); };
});

}  // namespace
}  // namespace clipsearch
