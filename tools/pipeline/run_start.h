// How an indexing run begins in its output folder, which may hold nothing,
// a finished index (refused, or added to with --append, or replaced with
// --force), an unfinished run of the same command (resumed from
// journal.json: docs/FORMAT.md) or of another (refused), or a run that had
// committed its manifest and was stopped during clean-up (finished here).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/model/model_manifest.h"
#include "core/util/result.h"
#include "tools/pipeline/folder_lock.h"
#include "tools/pipeline/index_folder.h"
#include "tools/pipeline/index_run.h"
#include "tools/pipeline/journal.h"

namespace clipsearch {

struct RunStart {
  FolderLock lock;  // held until the run ends: no other run writes the folder meanwhile

  // The previous run had committed its manifest; its clean-up is now done
  // and there is nothing to index. The finished index's totals:
  bool cleanup_only = false;
  uint64_t index_count = 0;
  size_t shards = 0;

  std::unique_ptr<LoadedIndex> base;  // --append onto this index, else null
  Journal journal;                    // on disk already; chunks done so far
  bool resuming = false;
};

// Locks the folder (a second run into it is refused), then decides, refuses
// with the reason and the flag that would help, or prepares the folder: journal written first (from then on a killed run is
// resumable), files of a replaced index removed, chunks whose shard went
// missing or changed dropped from a resumed journal, thumbs/ created.
clip::Result<RunStart> start_run(const IndexOptions& options, const clip::ModelManifest& model,
                                 const std::vector<InputItem>& items);

}  // namespace clipsearch
