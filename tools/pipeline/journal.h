// journal.json: the progress of an unfinished indexing run. It names the run
// (a fingerprint of the input list, model and options) and every chunk of
// inputs already written as a shard, so that rerunning the same command after
// a crash or kill continues where it stopped instead of embedding again.
// manifest.json is written last; the journal is removed once it is in place.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/index/index_manifest.h"
#include "core/util/result.h"
#include "tools/pipeline/input_list.h"

namespace clipsearch {

struct JournalChunk {
  uint32_t chunk = 0;
  clip::ShardEntry shard;  // file "" when no input of the chunk became a vector
  std::vector<SkippedInput> skipped;
  uint32_t unchanged = 0;  // --append: inputs already indexed as they are
};

struct Journal {
  std::string fingerprint;
  uint32_t first_shard = 0;        // number of the first shard this run writes
  std::vector<JournalChunk> chunks;  // completed, in any order
  // Set just before manifest.json is replaced: a journal whose manifest is
  // already in place only needs its clean-up finished.
  std::string final_manifest_sha256;
};

// Error when the file is missing or damaged (a damaged journal cannot be
// resumed; the caller reports that).
clip::Result<Journal> read_journal(const std::string& index_dir);
clip::Status write_journal(const std::string& index_dir, const Journal& journal);

}  // namespace clipsearch
