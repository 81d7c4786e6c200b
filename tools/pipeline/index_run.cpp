#include "tools/pipeline/index_run.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>
#include <unordered_map>

#include "tools/pipeline/index_finalize.h"
#include "tools/pipeline/ordered_pool.h"
#include "tools/pipeline/progress.h"
#include "tools/pipeline/run_start.h"
#include "tools/pipeline/shard_builder.h"

namespace fs = std::filesystem;

namespace clipsearch {

namespace {

// This part's inputs (--part), and what reading the input passed over.
struct SelectedInputs {
  std::vector<InputItem> items;
  std::vector<SkippedInput> early_skips;  // rows that never became items
  size_t hidden = 0, not_image = 0;
};

clip::Status check_options(const IndexOptions& o) {
  if (o.batch == 0) return clip::make_error("--batch must be at least 1");
  if (o.shard_size == 0 || o.shard_size > clip::kShardMaxCount)
    return clip::make_error("--shard-size must be between 1 and " + std::to_string(clip::kShardMaxCount));
  return clip::ok_status();
}

clip::Result<SelectedInputs> select_inputs(const IndexOptions& o) {
  auto list = read_inputs(o.input, o.input_options);
  CLIP_TRY(list);
  if (list->items.empty() && list->skipped.empty())
    return clip::make_error(o.input + ": no images found (" + std::to_string(list->hidden) + " hidden and " +
                            std::to_string(list->not_image) + " non-image files passed over)");
  SelectedInputs in;
  for (auto& it : list->items)
    if (o.part.all() || part_of(it.id, o.part.count) == o.part.index) in.items.push_back(std::move(it));
  for (auto& s : list->skipped)
    if (o.part.all() || part_of(s.id.empty() ? s.origin : s.id, o.part.count) == o.part.index)
      in.early_skips.push_back(std::move(s));
  in.hidden = list->hidden;
  in.not_image = list->not_image;
  return in;
}

// Indices into `items` whose chunk the journal does not hold yet;
// *resumed counts the vectors of the chunks it does.
std::vector<size_t> pending_items(const std::vector<InputItem>& items, const Journal& journal, uint32_t shard_size,
                                  size_t* resumed) {
  std::vector<bool> chunk_done((items.size() + shard_size - 1) / shard_size, false);
  for (const auto& c : journal.chunks)
    if (c.chunk < chunk_done.size()) {
      chunk_done[c.chunk] = true;
      *resumed += c.shard.count;
    }
  std::vector<size_t> pending;
  for (size_t i = 0; i < items.size(); ++i)
    if (!chunk_done[i / shard_size]) pending.push_back(i);
  return pending;
}

// What new shards record: the fingerprint the index being extended records
// (this model's or one it accepts, maybe an earlier format's), so all its
// shards agree; else the model's own.
std::string recorded_fingerprint(const ClipModel& model, const RunStart& run) {
  return run.base ? run.base->manifest().model_fingerprint : model.manifest().fingerprint;
}

struct EncodeResult {
  size_t embedded = 0, unchanged = 0;
  double wall_seconds = 0;
};

// Prepares the pending inputs on worker threads (read, decode, preprocess,
// thumbnail) while the shard builder encodes them in input order.
clip::Result<EncodeResult> encode_pending(ClipModel& model, const IndexOptions& o, const std::vector<InputItem>& items,
                                          const std::vector<size_t>& pending, RunStart& run, StageTimes& times) {
  // --append: records already in the index, by id, so unchanged ones are kept.
  std::unordered_map<std::string, const clip::ImageRecord*> existing;
  if (run.base) {
    const clip::Index& base = run.base->index;
    for (uint32_t i = 0; i < base.accepted_shards(); ++i)
      for (uint32_t r = 0; r < base.shard(i).count(); ++r) existing[base.shard(i).record(r).id] = &base.shard(i).record(r);
  }

  const size_t cpu_threads = o.threads ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  const bool any_url = std::any_of(pending.begin(), pending.end(), [&](size_t i) { return items[i].is_url; });
  CpuGate gate{int(cpu_threads)};
  PrepareConfig pc;
  pc.preprocess = model.image_config();
  pc.index_dir = o.out;
  pc.thumbnails = o.thumbnails;
  pc.fetch = o.fetch;
  pc.existing = run.base ? &existing : nullptr;
  pc.cpu = &gate;
  pc.times = &times;
  if (o.relative_sources) pc.sources_relative_to = fs::absolute(o.out).lexically_normal().string();
  const size_t workers = cpu_threads + (any_url ? o.download_threads : 0);
  const size_t window = 2 * o.batch + 2 * workers;

  ShardBuilder builder(model, o, recorded_fingerprint(model, run), run.journal, times);
  Progress progress("indexing", pending.size());
  const auto t0 = std::chrono::steady_clock::now();
  {
    OrderedPool<PreparedImage> pool(pending.size(), workers, window,
                                    [&](size_t k) { return prepare_image(items[pending[k]], pc); });
    PreparedImage p;
    for (size_t k = 0; pool.next(&p); ++k) {
      CLIP_TRY(builder.add(pending[k], items[pending[k]], std::move(p)));
      progress.update(k + 1 - builder.skipped(), builder.skipped());
    }
    CLIP_TRY(builder.finish());
  }
  progress.finish(pending.size() - builder.skipped(), builder.skipped());
  EncodeResult r;
  r.embedded = builder.embedded();
  r.unchanged = builder.unchanged();
  r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

// Folds the new shards into the index and commits manifest.json.
clip::Result<clip::IndexManifest> commit(ClipModel& model, const IndexOptions& o, const SelectedInputs& in,
                                         RunStart& run, StageTimes& times) {
  FinalizeInput fin;
  fin.out = o.out;
  fin.model = &model.manifest();
  fin.model_fingerprint = recorded_fingerprint(model, run);
  fin.model_location = model_location_for(model.dir(), o.out);
  fin.dim = model.manifest().embedding_dim;
  fin.base = run.base.get();
  fin.early_skips = in.early_skips;
  StageTimer t(times, Stage::Write);
  return finalize_index(fin, run.journal);
}

}  // namespace

clip::Result<IndexSummary> build_index(ClipModel& model, const IndexOptions& o) {
  const auto t_start = std::chrono::steady_clock::now();
  CLIP_TRY(check_options(o));
  auto in = select_inputs(o);
  CLIP_TRY(in);
  IndexSummary summary;
  summary.inputs = in->items.size();
  summary.hidden = in->hidden;
  summary.not_image = in->not_image;

  auto run = start_run(o, model.manifest(), in->items);
  CLIP_TRY(run);
  if (run->cleanup_only) {
    summary.cleanup_only = true;
    summary.index_count = run->index_count;
    summary.shards = run->shards;
    return summary;
  }

  const std::vector<size_t> pending = pending_items(in->items, run->journal, o.shard_size, &summary.resumed);
  if (run->resuming)
    std::fprintf(stderr, "clipsearch: resuming %s: %zu of %zu inputs already done\n", o.out.c_str(),
                 in->items.size() - pending.size(), in->items.size());
  StageTimes times;
  auto encoded = encode_pending(model, o, in->items, pending, *run, times);
  CLIP_TRY(encoded);
  auto manifest = commit(model, o, *in, *run, times);
  CLIP_TRY(manifest);

  summary.embedded = encoded->embedded;
  summary.unchanged = encoded->unchanged;
  summary.skipped = in->early_skips.size();
  for (const auto& c : run->journal.chunks) summary.skipped += c.skipped.size();
  summary.index_count = manifest->count;
  summary.shards = manifest->shards.size();
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  summary.encode_rate = encoded->wall_seconds > 0 ? double(summary.embedded) / encoded->wall_seconds : 0;
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
