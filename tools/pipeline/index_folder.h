// The files of an index folder (docs/FORMAT.md): manifest.json, shard-NNNNN.bin,
// thumbs/, report.jsonl, and journal.json while a run is unfinished.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/index/index.h"
#include "core/index/index_manifest.h"
#include "core/index/shard.h"
#include "core/util/result.h"
#include "tools/pipeline/input_list.h"

namespace clipsearch {

constexpr const char* kManifestFile = "manifest.json";
constexpr const char* kReportFile = "report.jsonl";
constexpr const char* kJournalFile = "journal.json";
constexpr const char* kThumbsDir = "thumbs";
constexpr int kThumbMaxSide = 256;

std::string join_path(const std::string& dir, const std::string& name);

std::string shard_file_name(uint32_t number);  // "shard-00012.bin"
// True for names shard_file_name() makes; *number gets the number.
bool parse_shard_file_name(const std::string& name, uint32_t* number);

// "thumbs/<24 hex>.jpg": named by id and content, so an upsert that changes
// the image gets a new file and parts of a --part run never collide.
std::string thumb_path(const std::string& id, const std::array<uint8_t, 32>& content_sha256);
// A thumbnail path from a shard record is safe to open: "thumbs/<name>.jpg".
bool is_safe_thumb_path(const std::string& thumb);

clip::Result<clip::IndexManifest> read_index_manifest(const std::string& dir);

// An index folder read into a core clip::Index, which decides what is
// acceptable (docs/FORMAT.md "What a reader checks").
struct LoadedIndex {
  std::string dir;
  clip::Index index;
  const clip::IndexManifest& manifest() const { return index.manifest(); }
};

struct LoadOptions {
  bool check_sha256 = false;  // hash every shard file (verify, merge)
  bool keep_going = false;    // offer every shard even after one is refused
};

// Reads manifest.json and offers every shard it lists to the index. Without
// `keep_going` the first refused shard is the error (its message names the
// file); with it the index holds the shards that passed and lists the
// others in index.refusals().
clip::Result<LoadedIndex> load_index(const std::string& dir, const LoadOptions& options = {});

// report.jsonl: one JSON object per skipped input.
std::string report_line(const SkippedInput& s);
// Lines that do not parse are dropped (the report is informational).
std::vector<SkippedInput> read_report(const std::string& dir);

// Current UTC time as ISO 8601 ("2025-01-31T12:00:00Z").
std::string utc_now_iso8601();

}  // namespace clipsearch
