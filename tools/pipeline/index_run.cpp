#include "tools/pipeline/index_run.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>
#include <unordered_map>

#include "core/util/sha256.h"
#include "tools/pipeline/file_io.h"
#include "tools/pipeline/index_finalize.h"
#include "tools/pipeline/journal.h"
#include "tools/pipeline/ordered_pool.h"
#include "tools/pipeline/progress.h"

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

bool is_empty_dir(const std::string& dir) {
  std::error_code ec;
  return fs::is_empty(dir, ec) && !ec;
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

// Where manifest.json says the model is: relative to the index folder (so
// index and model can move together, as in the web build), or absolute when
// the two share no folder but the root.
std::string model_location_for(const std::string& model_dir, const std::string& index_dir) {
  const fs::path model = fs::absolute(model_dir).lexically_normal();
  const fs::path index = fs::absolute(index_dir).lexically_normal();
  auto m = model.begin(), i = index.begin();
  size_t shared = 0;
  for (; m != model.end() && i != index.end() && *m == *i; ++m, ++i) ++shared;
  if (shared <= 1) return model.generic_string();  // only "/" in common
  return model.lexically_relative(index).generic_string();
}

// What the pipeline accumulates for the chunk being encoded.
struct ChunkBuffer {
  uint32_t chunk = 0;
  clip::ShardContents contents;
  JournalChunk done;
};

}  // namespace

clip::Result<IndexSummary> build_index(ClipModel& model, const IndexOptions& o) {
  const auto t_start = std::chrono::steady_clock::now();
  IndexSummary summary;
  StageTimes times;
  const clip::ModelManifest& mm = model.manifest();
  if (o.batch == 0) return clip::make_error("--batch must be at least 1");
  if (o.shard_size == 0 || o.shard_size > clip::kShardMaxCount)
    return clip::make_error("--shard-size must be between 1 and " + std::to_string(clip::kShardMaxCount));

  // --- The input list (this part of it) ---
  auto list = read_inputs(o.input, o.input_options);
  if (!list.ok()) return list.error();
  if (list->items.empty() && list->skipped.empty())
    return clip::make_error(o.input + ": no images found (" + std::to_string(list->hidden) + " hidden and " +
                            std::to_string(list->not_image) + " non-image files passed over)");
  std::vector<InputItem> items;
  std::vector<SkippedInput> early_skips;
  for (auto& it : list->items)
    if (o.part.all() || part_of(it.id, o.part.count) == o.part.index) items.push_back(std::move(it));
  for (auto& s : list->skipped)
    if (o.part.all() || part_of(s.id.empty() ? s.origin : s.id, o.part.count) == o.part.index)
      early_skips.push_back(std::move(s));
  summary.inputs = items.size();
  summary.hidden = list->hidden;
  summary.not_image = list->not_image;

  // --- What OUT holds: nothing, a finished index, or an unfinished run ---
  std::error_code ec;
  fs::create_directories(o.out, ec);
  if (ec) return clip::make_error(o.out + ": cannot create the index folder: " + ec.message());
  const std::string manifest_path = join_path(o.out, kManifestFile);
  const bool has_manifest = fs::exists(manifest_path);
  const bool has_journal = fs::exists(join_path(o.out, kJournalFile));
  clip::Result<Journal> old_journal = has_journal ? read_journal(o.out) : clip::Result<Journal>(clip::make_error(""));

  if (has_journal && old_journal.ok() && has_manifest && !old_journal->final_manifest_sha256.empty() &&
      old_journal->final_manifest_sha256 == file_sha256(manifest_path)) {
    // The previous run committed its manifest and was stopped during clean-up.
    auto index = load_index(o.out);
    if (!index.ok()) return index.error();
    if (auto s = remove_unreferenced(o.out, index->manifest(), referenced_thumbs(*index)); !s.ok()) return s.error();
    summary.cleanup_only = true;
    summary.index_count = index->manifest().count;
    summary.shards = index->manifest().shards.size();
    return summary;
  }

  std::unique_ptr<LoadedIndex> base;
  std::string base_sha;
  if (o.append && has_manifest) {
    auto index = load_index(o.out);
    if (!index.ok()) return clip::make_error("--append: " + index.message());
    if (auto st = index->index.check_model({mm.name, mm.fingerprint, mm.embedding_dim}, "the model given"); !st.ok())
      return clip::make_error(o.out + ": " + st.message() +
                              " Their embeddings cannot be mixed: index into a new folder or use --force to rebuild.");
    base = std::make_unique<LoadedIndex>(std::move(*index));
    base_sha = file_sha256(manifest_path);
  }
  const std::string fingerprint = run_fingerprint(mm, items, o, base_sha);

  Journal journal;
  bool resuming = false;
  if (has_journal) {
    if (old_journal.ok() && old_journal->fingerprint == fingerprint) {
      journal = std::move(*old_journal);
      resuming = true;
    } else if (!o.force) {
      return clip::make_error(o.out + " holds an unfinished run of " +
                              std::string(old_journal.ok() ? "other inputs or options" : "unknown inputs (journal.json is damaged)") +
                              "; rerun that command to finish it, or pass --force to discard it");
    }
  } else if (has_manifest && !o.append && !o.force) {
    return clip::make_error(o.out + " already holds an index; pass --append to add to it or --force to replace it");
  } else if (!has_manifest && !o.force && !is_empty_dir(o.out)) {
    return clip::make_error(o.out + " is not empty and holds no index; choose a new folder (or pass --force)");
  }

  if (!resuming) {
    journal = Journal{};
    journal.fingerprint = fingerprint;
    if (base)
      for (const auto& e : base->manifest().shards) {
        uint32_t n;
        if (parse_shard_file_name(e.file, &n)) journal.first_shard = std::max(journal.first_shard, n + 1);
      }
    // The journal goes first: from here a killed run is resumable, even while
    // --force is still removing the index it replaces.
    if (auto s = write_journal(o.out, journal); !s.ok()) return s.error();
    if (!base) remove_index_files(o.out);
  } else {
    // Chunks whose shard went missing or changed are done again.
    auto& cs = journal.chunks;
    cs.erase(std::remove_if(cs.begin(), cs.end(), [&](const JournalChunk& c) { return !chunk_intact(o.out, c); }),
             cs.end());
  }
  if (o.thumbnails) {
    fs::create_directories(join_path(o.out, kThumbsDir), ec);
    if (ec) return clip::make_error(join_path(o.out, kThumbsDir) + ": cannot create: " + ec.message());
  }

  // --- The pipeline over the chunks not done yet ---
  std::vector<bool> chunk_done((items.size() + o.shard_size - 1) / o.shard_size, false);
  for (const auto& c : journal.chunks)
    if (c.chunk < chunk_done.size()) {
      chunk_done[c.chunk] = true;
      summary.resumed += c.shard.count;
    }
  std::vector<size_t> pending;  // indices into items
  for (size_t i = 0; i < items.size(); ++i)
    if (!chunk_done[i / o.shard_size]) pending.push_back(i);
  if (resuming)
    std::fprintf(stderr, "clipsearch: resuming %s: %zu of %zu inputs already done\n", o.out.c_str(),
                 items.size() - pending.size(), items.size());

  std::unordered_map<std::string, const clip::ImageRecord*> existing;
  if (base)
    for (uint32_t i = 0; i < base->index.accepted_shards(); ++i)
      for (uint32_t r = 0; r < base->index.shard(i).count(); ++r)
        existing[base->index.shard(i).record(r).id] = &base->index.shard(i).record(r);

  const size_t cpu_threads = o.threads ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  const bool any_url = std::any_of(pending.begin(), pending.end(), [&](size_t i) { return items[i].is_url; });
  CpuGate gate{int(cpu_threads)};
  PrepareConfig pc;
  pc.preprocess = model.image_config();
  pc.index_dir = o.out;
  pc.thumbnails = o.thumbnails;
  pc.fetch = o.fetch;
  pc.existing = base ? &existing : nullptr;
  pc.cpu = &gate;
  pc.times = &times;
  if (o.relative_sources) pc.sources_relative_to = fs::absolute(o.out).lexically_normal().string();

  const size_t workers = cpu_threads + (any_url ? o.download_threads : 0);
  const size_t window = 2 * o.batch + 2 * workers;
  const uint32_t dim = mm.embedding_dim;

  Progress progress("indexing", pending.size());
  size_t handled = 0, skipped = 0;
  std::vector<float> batch_pixels;
  std::vector<size_t> batch_rows;  // row in the chunk buffer for each batched image
  ChunkBuffer chunk;
  bool chunk_open = false;
  auto t_encode_start = std::chrono::steady_clock::now();

  auto flush_batch = [&]() -> clip::Status {
    if (batch_rows.empty()) return clip::ok_status();
    clip::Result<std::vector<float>> emb = clip::make_error("");
    {
      StageTimer t(times, Stage::Encode);
      emb = model.embed_images(batch_pixels.data(), batch_rows.size());
    }
    if (!emb.ok()) return emb.error();
    for (size_t b = 0; b < batch_rows.size(); ++b)
      std::copy_n(emb->data() + b * dim, dim, chunk.contents.embeddings.data() + batch_rows[b] * dim);
    batch_pixels.clear();
    batch_rows.clear();
    return clip::ok_status();
  };
  auto close_chunk = [&]() -> clip::Status {
    if (auto s = flush_batch(); !s.ok()) return s;
    StageTimer t(times, Stage::Write);
    JournalChunk& done = chunk.done;
    done.chunk = chunk.chunk;
    if (!chunk.contents.records.empty()) {
      auto bytes = clip::encode_shard(chunk.contents);
      if (!bytes.ok()) return clip::make_error(o.out + ": " + bytes.message());
      done.shard = clip::describe_shard(shard_file_name(journal.first_shard + chunk.chunk), *bytes);
      if (auto s = write_file_atomic(join_path(o.out, done.shard.file), clip::ByteView(*bytes)); !s.ok()) return s;
    }
    // Thumbnails were written without fsync; make them durable before the
    // journal says this chunk is done.
    if (o.thumbnails)
      if (auto s = sync_filesystem(o.out); !s.ok()) return s;
    summary.embedded += done.shard.count;
    summary.unchanged += done.unchanged;
    journal.chunks.push_back(std::move(done));
    chunk_open = false;
    return write_journal(o.out, journal);
  };

  {
    OrderedPool<PreparedImage> pool(pending.size(), workers, window,
                                    [&](size_t k) { return prepare_image(items[pending[k]], pc); });
    PreparedImage p;
    for (size_t k = 0; pool.next(&p); ++k) {
      const size_t item_index = pending[k];
      const uint32_t c = uint32_t(item_index / o.shard_size);
      if (chunk_open && c != chunk.chunk)
        if (auto s = close_chunk(); !s.ok()) return s.error();
      if (!chunk_open) {
        chunk = ChunkBuffer{};
        chunk.chunk = c;
        chunk.contents.model_fingerprint = mm.fingerprint;
        chunk.contents.dim = dim;
        chunk.contents.with_binary_codes = o.binary_codes;
        chunk_open = true;
      }
      const InputItem& item = items[item_index];
      switch (p.outcome) {
        case PreparedImage::Outcome::Failed:
          return clip::make_error(p.skip_reason);
        case PreparedImage::Outcome::Skipped:
          chunk.done.skipped.push_back({item.id, item.source, item.origin, p.skip_reason});
          ++skipped;
          break;
        case PreparedImage::Outcome::Unchanged:
          ++chunk.done.unchanged;
          break;
        case PreparedImage::Outcome::Ready:
          batch_rows.push_back(chunk.contents.records.size());
          chunk.contents.records.push_back(std::move(p.record));
          chunk.contents.embeddings.resize(chunk.contents.records.size() * dim);
          batch_pixels.insert(batch_pixels.end(), p.pixels.begin(), p.pixels.end());
          if (batch_rows.size() == o.batch)
            if (auto s = flush_batch(); !s.ok()) return s.error();
          break;
      }
      ++handled;
      progress.update(handled - skipped, skipped);
    }
    if (chunk_open)
      if (auto s = close_chunk(); !s.ok()) return s.error();
  }
  progress.finish(handled - skipped, skipped);
  const double encode_wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_encode_start).count();

  // --- Commit ---
  FinalizeInput fin;
  fin.out = o.out;
  fin.model = &mm;
  fin.model_location = model_location_for(model.dir(), o.out);
  fin.dim = dim;
  fin.base = base.get();
  fin.early_skips = early_skips;
  clip::Result<clip::IndexManifest> manifest = clip::make_error("");
  {
    StageTimer t(times, Stage::Write);
    manifest = finalize_index(fin, journal);
  }
  if (!manifest.ok()) return manifest.error();

  summary.skipped = early_skips.size();
  for (const auto& c : journal.chunks) summary.skipped += c.skipped.size();
  summary.index_count = manifest->count;
  summary.shards = manifest->shards.size();
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  summary.encode_rate = encode_wall > 0 ? double(summary.embedded) / encode_wall : 0;
  for (size_t i = 0; i < size_t(Stage::Count); ++i) summary.stage_seconds[i] = times.seconds(Stage(i));
  return summary;
}

std::string summary_json(const IndexSummary& s, const std::string& device) {
  nlohmann::ordered_json j;
  j["inputs"] = s.inputs;
  j["embedded"] = s.embedded;
  j["resumed"] = s.resumed;
  j["unchanged"] = s.unchanged;
  j["skipped"] = s.skipped;
  j["hidden"] = s.hidden;
  j["not_image"] = s.not_image;
  j["index_count"] = s.index_count;
  j["shards"] = s.shards;
  j["device"] = device;
  j["seconds"] = s.seconds;
  j["images_per_second"] = s.encode_rate;
  double total = 0;
  for (double v : s.stage_seconds) total += v;
  nlohmann::ordered_json stages;
  for (size_t i = 0; i < size_t(Stage::Count); ++i)
    stages[kStageNames[i]] = {{"seconds", s.stage_seconds[i]}, {"share", total > 0 ? s.stage_seconds[i] / total : 0}};
  j["stages"] = stages;
  return j.dump(2) + "\n";
}

}  // namespace clipsearch
