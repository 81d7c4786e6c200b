#include "tools/pipeline/index_upgrade.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "core/index/index.h"
#include "core/util/sha256.h"
#include "tools/pipeline/file_io.h"
#include "tools/pipeline/folder_lock.h"
#include "tools/pipeline/index_finalize.h"
#include "tools/pipeline/index_folder.h"

namespace fs = std::filesystem;

namespace clipsearch {

clip::Result<UpgradeSummary> upgrade_index(const std::string& dir, uint32_t version) {
  if (version != 1 && version != 2)
    return clip::make_error("--to " + std::to_string(version) + ": shard format versions are 1 and 2");
  auto lock = FolderLock::acquire(dir);
  CLIP_TRY(lock);
  std::error_code ec;
  if (fs::exists(join_path(dir, kJournalFile), ec))
    return clip::make_error(dir + " holds an unfinished indexing run (journal.json); finish it before upgrading");
  // Damage is not carried into the new files: every shard is hashed and checked.
  LoadOptions check;
  check.check_sha256 = true;
  auto loaded = load_index(dir, check);
  if (!loaded.ok()) return clip::make_error(loaded.message() + " (run clipsearch verify " + dir + ")");
  const clip::Index& index = loaded->index;
  const clip::IndexManifest& old = index.manifest();

  UpgradeSummary summary;
  summary.shards = old.shards.size();
  summary.count = old.count;
  bool all_there = true;
  for (const auto& e : old.shards) all_there = all_there && e.version == version;
  if (all_there) {
    summary.already = true;
    // An earlier run may have been killed after its commit: finish its clean-up.
    CLIP_TRY(remove_unreferenced(dir, old, referenced_thumbs(*loaded)));
    return summary;
  }

  // New files are numbered after every file the manifest lists, in manifest
  // order: the same names on every run until the commit, so a rerun finds
  // what an interrupted one wrote.
  uint32_t next = 0;
  for (const auto& e : old.shards) {
    uint32_t n;
    if (parse_shard_file_name(e.file, &n)) next = std::max(next, n + 1);
  }
  clip::IndexManifest m = old;
  for (uint32_t i = 0; i < index.accepted_shards(); ++i) {
    const size_t entry = index.shard_entry(i);
    if (old.shards[entry].version == version) continue;
    const std::string file = shard_file_name(next + uint32_t(entry));
    auto bytes = clip::upgrade_shard(index.shard(i), version);
    if (!bytes.ok()) return clip::make_error(join_path(dir, bytes.message()));
    auto existing = read_file(join_path(dir, file), bytes->size());
    if (existing.ok() && *existing == *bytes) {
      ++summary.reused;
    } else {
      CLIP_TRY(write_file_atomic(join_path(dir, file), clip::ByteView(*bytes)));
      ++summary.rewritten;
    }
    m.shards[entry] = clip::describe_shard(file, *bytes);
    std::fprintf(stderr, "\rclipsearch upgrade: %u of %zu shards", i + 1, index.accepted_shards());
  }
  std::fprintf(stderr, "\n");
  // The commit: after this rename readers see the new shards.
  CLIP_TRY(write_file_atomic(join_path(dir, kManifestFile), clip::serialize_index_manifest(m)));
  CLIP_TRY(remove_unreferenced(dir, m, referenced_thumbs(*loaded)));
  return summary;
}

}  // namespace clipsearch
