#include "tools/pipeline/index_finalize.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <unordered_set>

#include "core/util/sha256.h"
#include "tools/pipeline/file_io.h"

namespace fs = std::filesystem;

namespace clipsearch {

namespace {

struct ShardOut {
  clip::ShardEntry entry;
  std::shared_ptr<const clip::Shard> shard;
};

clip::Result<std::shared_ptr<const clip::Shard>> read_shard(const std::string& out, const clip::ShardEntry& e) {
  const std::string path = join_path(out, e.file);
  auto bytes = read_file(path, e.bytes);
  CLIP_TRY(bytes);
  auto shard = clip::Shard::parse(std::move(*bytes), path);
  CLIP_TRY(shard);
  return std::make_shared<const clip::Shard>(std::move(*shard));
}

// Writes `rows` of `shard` as a new shard file (for an upsert, which drops
// replaced rows). Rows are copied byte for byte: nothing is embedded or
// quantized again.
clip::Result<ShardOut> rewrite_shard(const std::string& out, const clip::Shard& shard,
                                     const std::vector<uint32_t>& rows, const std::string& file) {
  auto bytes = clip::encode_shard_rows(shard, rows);
  if (!bytes.ok()) return clip::make_error(file + ": " + bytes.message());
  CLIP_TRY(write_file_atomic(join_path(out, file), clip::ByteView(*bytes)));
  ShardOut o;
  o.entry = clip::describe_shard(file, *bytes);
  auto parsed = clip::Shard::parse(std::move(*bytes), file);
  CLIP_TRY(parsed);
  o.shard = std::make_shared<const clip::Shard>(std::move(*parsed));
  return o;
}

}  // namespace

std::vector<std::string> referenced_thumbs(const LoadedIndex& index) {
  std::vector<std::string> out;
  for (uint32_t i = 0; i < index.index.accepted_shards(); ++i) {
    const clip::Shard& s = index.index.shard(i);
    for (uint32_t r = 0; r < s.count(); ++r)
      if (!s.record(r).thumb.empty()) out.push_back(s.record(r).thumb);
  }
  return out;
}

clip::Result<clip::IndexManifest> finalize_index(const FinalizeInput& in, Journal& journal) {
  std::sort(journal.chunks.begin(), journal.chunks.end(),
            [](const JournalChunk& a, const JournalChunk& b) { return a.chunk < b.chunk; });

  // This run's shards, and the ids they (re)define.
  std::vector<ShardOut> fresh;
  std::unordered_set<std::string> new_ids;
  uint32_t next_number = journal.first_shard;
  for (const auto& c : journal.chunks) {
    next_number = std::max(next_number, journal.first_shard + c.chunk + 1);
    if (c.shard.file.empty()) continue;
    auto shard = read_shard(in.out, c.shard);
    CLIP_TRY(shard);
    for (uint32_t r = 0; r < (*shard)->count(); ++r) new_ids.insert((*shard)->record(r).id);
    fresh.push_back({c.shard, *shard});
  }

  // An existing index keeps its shards, except that rows whose id came again
  // are dropped (rewriting those shards under new numbers).
  std::vector<ShardOut> kept;
  if (in.base) {
    const clip::Index& base = in.base->index;
    for (uint32_t i = 0; i < base.accepted_shards(); ++i) {
      const auto& shard = base.shard(i);
      std::vector<uint32_t> rows;
      for (uint32_t r = 0; r < shard.count(); ++r)
        if (!new_ids.count(shard.record(r).id)) rows.push_back(r);
      if (rows.size() == shard.count()) {
        kept.push_back({base.manifest().shards[base.shard_entry(i)], base.shared_shard(i)});
      } else if (!rows.empty()) {
        auto rewritten = rewrite_shard(in.out, shard, rows, shard_file_name(next_number++));
        CLIP_TRY(rewritten);
        kept.push_back(std::move(*rewritten));
      }
    }
  }

  // report.jsonl: what the index still lacks, old runs' entries first (an
  // input skipped again is listed once).
  std::string report;
  std::set<std::string> lines;
  auto add = [&](const SkippedInput& s) {
    std::string line = report_line(s);
    if (lines.insert(line).second) report += line;
  };
  if (in.base)
    for (const auto& s : read_report(in.out))
      if (!new_ids.count(s.id)) add(s);
  for (const auto& s : in.early_skips) add(s);
  for (const auto& c : journal.chunks)
    for (const auto& s : c.skipped) add(s);
  CLIP_TRY(write_file_atomic(join_path(in.out, kReportFile), report));

  clip::IndexManifest m;
  m.tool_version = CLIPSEARCH_VERSION;
  m.model_name = in.model->name;
  m.model_fingerprint = in.model_fingerprint;
  m.model_location = in.model_location;
  m.dim = in.dim;
  m.binary_codes = true;
  m.created_utc = utc_now_iso8601();
  std::vector<std::string> thumbs;
  for (const auto* list : {&kept, &fresh})
    for (const auto& s : *list) {
      m.shards.push_back(s.entry);
      m.count += s.entry.count;
      m.binary_codes = m.binary_codes && s.shard->has_binary_codes();
      for (uint32_t r = 0; r < s.shard->count(); ++r)
        if (!s.shard->record(r).thumb.empty()) thumbs.push_back(s.shard->record(r).thumb);
    }
  const std::string text = clip::serialize_index_manifest(m);

  // The journal learns the manifest before it is committed: a run killed
  // right after the commit is then finished by clean-up alone.
  journal.final_manifest_sha256 = clip::to_hex(clip::sha256(text.data(), text.size()));
  CLIP_TRY(write_journal(in.out, journal));
  CLIP_TRY(write_file_atomic(join_path(in.out, kManifestFile), text));
  CLIP_TRY(remove_unreferenced(in.out, m, thumbs));
  return m;
}

std::string model_location_for(const std::string& model_dir, const std::string& index_dir) {
  const fs::path model = fs::absolute(model_dir).lexically_normal();
  const fs::path index = fs::absolute(index_dir).lexically_normal();
  auto m = model.begin(), i = index.begin();
  size_t shared = 0;
  for (; m != model.end() && i != index.end() && *m == *i; ++m, ++i) ++shared;
  if (shared <= 1) return model.generic_string();  // only "/" in common
  return model.lexically_relative(index).generic_string();
}

clip::Status remove_unreferenced(const std::string& out, const clip::IndexManifest& manifest,
                                 const std::vector<std::string>& referenced_thumbs) {
  std::set<std::string> shards, thumbs(referenced_thumbs.begin(), referenced_thumbs.end());
  for (const auto& e : manifest.shards) shards.insert(e.file);
  std::error_code ec;
  for (fs::directory_iterator it(out, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    uint32_t n;
    std::error_code ignored;  // a file that cannot go is left, not fatal
    if ((parse_shard_file_name(name, &n) && !shards.count(name)) || is_temp_file_name(name)) fs::remove(it->path(), ignored);
  }
  const std::string thumbs_dir = join_path(out, kThumbsDir);
  for (fs::directory_iterator it(thumbs_dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string rel = std::string(kThumbsDir) + "/" + it->path().filename().string();
    std::error_code ignored;
    if (!thumbs.count(rel)) fs::remove(it->path(), ignored);
  }
  std::error_code ignored;
  if (thumbs.empty()) fs::remove(thumbs_dir, ignored);  // only removes an empty folder
  ec.clear();
  fs::remove(join_path(out, kJournalFile), ec);
  if (ec) return clip::make_error(join_path(out, kJournalFile) + ": cannot remove: " + ec.message());
  return sync_directory(out);
}

}  // namespace clipsearch
