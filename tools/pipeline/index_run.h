// `clipsearch index`: inputs -> decoded and preprocessed on worker threads ->
// embedded in batches -> shards + thumbnails + report.jsonl + manifest.json,
// resumable after a crash (journal.json) and able to upsert into an index.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/util/result.h"
#include "tools/ort/clip_model.h"
#include "tools/pipeline/input_list.h"
#include "tools/pipeline/partition.h"
#include "tools/pipeline/prepare_image.h"
#include "tools/pipeline/stage_times.h"

namespace clipsearch {

struct IndexOptions {
  std::string input;
  std::string out;
  InputOptions input_options;
  size_t batch = 16;
  size_t threads = 0;           // decode/preprocess threads, 0 = one per core
  size_t download_threads = 16; // extra threads waiting on URLs (when there are URL inputs)
  uint32_t shard_size = 4096;
  bool append = false;
  bool force = false;
  bool thumbnails = true;
  bool relative_sources = false;
  bool binary_codes = true;
  Part part;
  FetchFn fetch;
};

struct IndexSummary {
  size_t inputs = 0;        // items in this part after reading the input
  size_t embedded = 0;      // new vectors written by this session (resumed ones not included)
  size_t resumed = 0;       // of those, found done in journal.json
  size_t unchanged = 0;     // --append: already indexed as they are
  size_t skipped = 0;       // listed in report.jsonl by this run
  size_t hidden = 0, not_image = 0;  // folder walk
  uint64_t index_count = 0; // vectors in the finished index
  size_t shards = 0;
  double seconds = 0;
  double encode_rate = 0;   // embedded (this session) per wall second
  double stage_seconds[size_t(Stage::Count)] = {};  // summed over threads
  bool cleanup_only = false;  // the previous run had written its manifest already
};

clip::Result<IndexSummary> build_index(ClipModel& model, const IndexOptions& options);

// The summary as JSON (for --stats-json).
std::string summary_json(const IndexSummary& s, const std::string& device);

}  // namespace clipsearch
