#include "tools/pipeline/run_start.h"

#include "core/model/model_spec.h"

#include <algorithm>
#include <filesystem>

#include "core/util/sha256.h"
#include "tools/pipeline/file_io.h"
#include "tools/pipeline/index_finalize.h"

namespace fs = std::filesystem;

namespace clipsearch {

namespace {

// Names the work of a run: same inputs, model and options give the same
// fingerprint, so a rerun of the same command can resume. Batch size,
// threads and device only change speed, so they are left out.
std::string run_fingerprint(const clip::ModelManifest& model, const std::vector<InputItem>& items,
                            const IndexOptions& o, const std::string& base_manifest_sha) {
  clip::Sha256 h;
  auto field = [&](const std::string& s) {
    const uint64_t n = s.size();
    h.update(&n, sizeof n);  // length prefix: fields cannot run into each other
    h.update(s.data(), s.size());
  };
  field("clipsearch-index-run-1");
  field(model.fingerprint);
  field(std::to_string(o.shard_size));
  field(o.part.text());
  field(std::string(o.thumbnails ? "thumbs" : "") + (o.binary_codes ? ",binary" : "") +
        (o.relative_sources ? ",relative" : ""));
  field(base_manifest_sha);
  for (const auto& it : items) {
    field(it.id);
    field(it.source);
    field(it.caption);
  }
  return clip::to_hex(h.finish());
}

// Removes the files of a previous index or run (for --force).
void remove_index_files(const std::string& out) {
  std::error_code ec;
  for (fs::directory_iterator it(out, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    uint32_t n;
    std::error_code ignored;
    if (name == kManifestFile || name == kReportFile || parse_shard_file_name(name, &n))
      fs::remove(it->path(), ignored);
  }
  std::error_code ignored;
  fs::remove_all(join_path(out, kThumbsDir), ignored);
}

// A journal chunk whose shard file is missing or differs is redone.
bool chunk_intact(const std::string& out, const JournalChunk& c) {
  if (c.shard.file.empty()) return true;
  auto bytes = read_file(join_path(out, c.shard.file), c.shard.bytes);
  return bytes.ok() && bytes->size() == c.shard.bytes &&
         clip::to_hex(clip::sha256(bytes->data(), bytes->size())) == c.shard.sha256;
}

std::string file_sha256(const std::string& path) {
  auto bytes = read_file(path);
  return bytes.ok() ? clip::to_hex(clip::sha256(bytes->data(), bytes->size())) : "";
}

// The previous run committed its manifest and was stopped during clean-up.
clip::Result<RunStart> finish_cleanup(const std::string& out) {
  auto index = load_index(out);
  CLIP_TRY(index);
  CLIP_TRY(remove_unreferenced(out, index->manifest(), referenced_thumbs(*index)));
  RunStart done;
  done.cleanup_only = true;
  done.index_count = index->manifest().count;
  done.shards = index->manifest().shards.size();
  return done;
}

// --append: the index already in `out`, which `model` must be able to extend.
clip::Result<std::unique_ptr<LoadedIndex>> append_base(const std::string& out, const clip::ModelManifest& mm) {
  auto index = load_index(out);
  if (!index.ok()) return clip::make_error("--append: " + index.message());
  if (auto st = index->index.check_model(clip::model_identity(mm), "the model given"); !st.ok())
    return clip::make_error(out + ": " + st.message() +
                            " Their embeddings cannot be mixed: index into a new folder or use --force to rebuild.");
  return std::make_unique<LoadedIndex>(std::move(*index));
}

// A fresh journal, on disk before anything else is written or removed.
clip::Result<Journal> begin_journal(const std::string& out, const std::string& fingerprint, const LoadedIndex* base) {
  Journal journal;
  journal.fingerprint = fingerprint;
  if (base)
    for (const auto& e : base->manifest().shards) {
      uint32_t n;
      if (parse_shard_file_name(e.file, &n)) journal.first_shard = std::max(journal.first_shard, n + 1);
    }
  // From here a killed run is resumable, even while --force is still
  // removing the index it replaces.
  CLIP_TRY(write_journal(out, journal));
  if (!base) remove_index_files(out);
  return journal;
}

}  // namespace

clip::Result<RunStart> start_run(const IndexOptions& o, const clip::ModelManifest& mm,
                                 const std::vector<InputItem>& items) {
  std::error_code ec;
  fs::create_directories(o.out, ec);
  if (ec) return clip::make_error(o.out + ": cannot create the index folder: " + ec.message());
  // Before anything is read: what follows is only true while no other run
  // writes here (a temporary file is then a dead run's, safe to remove).
  auto lock = FolderLock::acquire(o.out);
  CLIP_TRY(lock);
  const std::string manifest_path = join_path(o.out, kManifestFile);
  const bool has_manifest = fs::exists(manifest_path);
  const bool has_journal = fs::exists(join_path(o.out, kJournalFile));
  clip::Result<Journal> old_journal = has_journal ? read_journal(o.out) : clip::Result<Journal>(clip::make_error(""));

  if (has_journal && old_journal.ok() && has_manifest && !old_journal->final_manifest_sha256.empty() &&
      old_journal->final_manifest_sha256 == file_sha256(manifest_path))
    return finish_cleanup(o.out);

  RunStart run;
  run.lock = std::move(*lock);
  std::string base_sha;
  if (o.append && has_manifest) {
    auto base = append_base(o.out, mm);
    CLIP_TRY(base);
    run.base = std::move(*base);
    base_sha = file_sha256(manifest_path);
  }
  const std::string fingerprint = run_fingerprint(mm, items, o, base_sha);

  if (has_journal) {
    if (old_journal.ok() && old_journal->fingerprint == fingerprint) {
      run.journal = std::move(*old_journal);
      run.resuming = true;
    } else if (!o.force) {
      return clip::make_error(o.out + " holds an unfinished run of " +
                              std::string(old_journal.ok() ? "other inputs or options" : "unknown inputs (journal.json is damaged)") +
                              "; rerun that command to finish it, or pass --force to discard it");
    }
  } else if (has_manifest && !o.append && !o.force) {
    return clip::make_error(o.out + " already holds an index; pass --append to add to it or --force to replace it");
  } else if (!has_manifest && !o.force && !empty_but_for_temp_files(o.out)) {
    return clip::make_error(o.out + " is not empty and holds no index; choose a new folder (or pass --force)");
  }

  if (run.resuming) {
    // Chunks whose shard went missing or changed are done again.
    auto& cs = run.journal.chunks;
    cs.erase(std::remove_if(cs.begin(), cs.end(), [&](const JournalChunk& c) { return !chunk_intact(o.out, c); }),
             cs.end());
  } else {
    auto journal = begin_journal(o.out, fingerprint, run.base.get());
    CLIP_TRY(journal);
    run.journal = std::move(*journal);
  }
  if (o.thumbnails) {
    fs::create_directories(join_path(o.out, kThumbsDir), ec);
    if (ec) return clip::make_error(join_path(o.out, kThumbsDir) + ": cannot create: " + ec.message());
  }
  return run;
}

}  // namespace clipsearch
