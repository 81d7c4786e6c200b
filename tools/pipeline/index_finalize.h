// The end of an index run: fold the new shards into the index (upserting
// over an existing one), write report.jsonl, commit manifest.json, then
// remove what no longer belongs (replaced shards, orphan thumbnails, the
// journal, temporary files).
#pragma once
#include <string>
#include <vector>

#include "core/model/model_manifest.h"
#include "core/util/result.h"
#include "tools/pipeline/index_folder.h"
#include "tools/pipeline/journal.h"

namespace clipsearch {

struct FinalizeInput {
  std::string out;
  const clip::ModelManifest* model = nullptr;
  std::string model_fingerprint;       // what the shards record (the model's, or the appended index's)
  std::string model_location;          // relative to `out`, as the manifest records it
  uint32_t dim = 0;
  const LoadedIndex* base = nullptr;   // --append onto this index, else null
  std::vector<SkippedInput> early_skips;  // rows that never became items
};

// Where manifest.json says the model is: relative to the index folder (so
// index and model can move together, as in the web build), or absolute when
// the two share no folder but the root.
std::string model_location_for(const std::string& model_dir, const std::string& index_dir);

// Returns the committed manifest.
clip::Result<clip::IndexManifest> finalize_index(const FinalizeInput& in, Journal& journal);

// Deletes files in `out` the manifest does not reference: shard files,
// thumbnails (`records_thumbs` are the referenced ones), temporary files,
// and the journal last.
clip::Status remove_unreferenced(const std::string& out, const clip::IndexManifest& manifest,
                                 const std::vector<std::string>& referenced_thumbs);

// The thumbnails a loaded index references.
std::vector<std::string> referenced_thumbs(const LoadedIndex& index);

}  // namespace clipsearch
