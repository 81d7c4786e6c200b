#include "tools/pipeline/index_merge.h"

#include <filesystem>
#include <unordered_map>

#include "tools/pipeline/file_io.h"
#include "tools/pipeline/folder_lock.h"
#include "tools/pipeline/index_finalize.h"
#include "tools/pipeline/index_folder.h"

namespace fs = std::filesystem;

namespace clipsearch {

namespace {

// Files an interrupted merge or index run leaves; anything else in `out`
// means it is someone else's folder.
bool is_index_file(const std::string& name) {
  uint32_t n;
  return name == kManifestFile || name == kReportFile || name == kJournalFile || name == kThumbsDir ||
         parse_shard_file_name(name, &n) || is_temp_file_name(name);
}

clip::Status copy_file(const std::string& from, const std::string& to, bool durable) {
  auto bytes = read_file(from);
  CLIP_TRY(bytes);
  return durable ? write_file_atomic(to, clip::ByteView(*bytes)) : write_file_replace(to, clip::ByteView(*bytes));
}

}  // namespace

clip::Result<MergeSummary> merge_indexes(const std::string& out, const std::vector<std::string>& parts, bool force) {
  if (parts.empty()) return clip::make_error("no part folders given");
  std::vector<LoadedIndex> loaded;
  std::unordered_map<std::string, size_t> owner;  // id -> part
  for (const auto& dir : parts) {
    std::error_code ec;
    if (fs::exists(join_path(dir, kJournalFile), ec))
      return clip::make_error(dir + " holds an unfinished run (journal.json); finish it before merging");
    LoadOptions check;
    check.check_sha256 = true;
    auto index = load_index(dir, check);
    CLIP_TRY(index);
    if (!loaded.empty()) {
      const clip::IndexManifest& m = index->manifest();
      if (auto st = loaded.front().index.check_model({m.model_name, m.model_fingerprint, m.dim}, dir + "'s model");
          !st.ok())
        return clip::make_error(parts.front() + ": " + st.message());
    }
    for (uint32_t i = 0; i < index->index.accepted_shards(); ++i) {
      const clip::Shard& s = index->index.shard(i);
      for (uint32_t r = 0; r < s.count(); ++r) {
        auto [it, inserted] = owner.emplace(s.record(r).id, loaded.size());
        if (!inserted)
          return clip::make_error("id '" + s.record(r).id + "' is in both " + parts[it->second] + " and " + dir);
      }
    }
    loaded.push_back(std::move(*index));
  }

  std::error_code ec;
  for (const auto& dir : parts)
    if (fs::weakly_canonical(dir, ec) == fs::weakly_canonical(out, ec))
      return clip::make_error(out + " is also one of the parts; merge into a new folder");
  fs::create_directories(out, ec);
  if (ec) return clip::make_error(out + ": cannot create: " + ec.message());
  auto lock = FolderLock::acquire(out);
  CLIP_TRY(lock);
  if (fs::exists(join_path(out, kManifestFile)) && !force)
    return clip::make_error(out + " already holds an index; pass --force to replace it");
  for (fs::directory_iterator it(out, ec), end; !ec && it != end; it.increment(ec))
    if (!is_index_file(it->path().filename().string()) && !force)
      return clip::make_error(out + " is not empty and holds no index; choose a new folder (or pass --force)");
  // The manifest goes first, so a killed merge never leaves a stale index.
  fs::remove(join_path(out, kManifestFile), ec);

  clip::IndexManifest m;
  const auto& first = loaded.front().manifest();
  m.tool_version = CLIPSEARCH_VERSION;
  m.model_name = first.model_name;
  m.model_fingerprint = first.model_fingerprint;
  m.dim = first.dim;
  m.binary_codes = true;
  m.created_utc = utc_now_iso8601();
  if (!first.model_location.empty()) {
    m.model_location = first.model_location;
    if (!is_url(first.model_location))
      m.model_location = fs::absolute(fs::path(loaded.front().dir) / first.model_location)
                             .lexically_normal()
                             .lexically_relative(fs::absolute(out).lexically_normal())
                             .generic_string();
  }

  std::string report;
  std::vector<std::string> thumbs;
  fs::create_directories(join_path(out, kThumbsDir), ec);
  for (const auto& index : loaded) {
    for (uint32_t i = 0; i < index.index.accepted_shards(); ++i) {
      const auto& entry = index.manifest().shards[index.index.shard_entry(i)];
      clip::ShardEntry e = entry;
      e.file = shard_file_name(uint32_t(m.shards.size()));
      CLIP_TRY(copy_file(join_path(index.dir, entry.file), join_path(out, e.file), true));
      m.shards.push_back(e);
      m.count += e.count;
      const auto& shard = index.index.shard(i);
      m.binary_codes = m.binary_codes && shard.has_binary_codes();
      for (uint32_t r = 0; r < shard.count(); ++r) {
        const std::string& t = shard.record(r).thumb;
        if (t.empty() || !is_safe_thumb_path(t)) continue;
        if (auto s = copy_file(join_path(index.dir, t), join_path(out, t), false); !s.ok())
          return clip::make_error("thumbnail of '" + shard.record(r).id + "': " + s.message());
        thumbs.push_back(t);
      }
    }
    for (const auto& s : read_report(index.dir)) report += report_line(s);
  }
  CLIP_TRY(sync_filesystem(out));
  CLIP_TRY(write_file_atomic(join_path(out, kReportFile), report));
  if (auto s = write_file_atomic(join_path(out, kManifestFile), clip::serialize_index_manifest(m)); !s.ok())
    return s.error();
  CLIP_TRY(remove_unreferenced(out, m, thumbs));
  return MergeSummary{parts.size(), m.shards.size(), m.count};
}

}  // namespace clipsearch
