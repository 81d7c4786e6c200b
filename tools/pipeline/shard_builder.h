// The encoding half of `clipsearch index`: prepared images arrive in input
// order; those that are ready go through the image encoder in batches, and
// once every input of a chunk (shard_size consecutive inputs) has arrived,
// the chunk's shard is written and the chunk recorded in journal.json, so a
// killed run resumes after it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/index/shard.h"
#include "core/util/result.h"
#include "tools/ort/clip_model.h"
#include "tools/pipeline/index_run.h"
#include "tools/pipeline/journal.h"
#include "tools/pipeline/prepare_image.h"
#include "tools/pipeline/stage_times.h"

namespace clipsearch {

class ShardBuilder {
 public:
  // Shards carry `model_fingerprint`; chunk c becomes shard number
  // journal.first_shard + c, and is appended to `journal`.
  ShardBuilder(ClipModel& model, const IndexOptions& options, const std::string& model_fingerprint,
               Journal& journal, StageTimes& times);

  // The outcome for items[item_index]; indices only grow. A Failed outcome
  // (the run cannot go on) is returned as the error.
  clip::Status add(size_t item_index, const InputItem& item, PreparedImage prepared);
  // Encodes and writes what is still open.
  clip::Status finish();

  size_t embedded() const { return embedded_; }    // vectors written to shards
  size_t unchanged() const { return unchanged_; }  // --append: kept as they were
  size_t skipped() const { return skipped_; }      // reported with a reason

 private:
  void open_chunk(uint32_t chunk);
  clip::Status encode_batch();
  clip::Status close_chunk();

  ClipModel& model_;
  const IndexOptions& options_;
  const std::string model_fingerprint_;
  Journal& journal_;
  StageTimes& times_;
  const uint32_t dim_;

  bool open_ = false;
  uint32_t chunk_ = 0;
  clip::ShardContents contents_;  // the open chunk's records and embeddings
  JournalChunk done_;             // and what the journal will say of it
  std::vector<float> batch_pixels_;
  std::vector<size_t> batch_rows_;  // row in contents_ of each batched image

  size_t embedded_ = 0, unchanged_ = 0, skipped_ = 0;
};

}  // namespace clipsearch
