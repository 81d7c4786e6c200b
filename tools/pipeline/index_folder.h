// The files of an index folder (docs/FORMAT.md): manifest.json, shard-NNNNN.bin,
// thumbs/, report.jsonl, and journal.json while a run is unfinished.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

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

struct LoadedIndex {
  std::string dir;
  clip::IndexManifest manifest;
  std::vector<std::shared_ptr<const clip::Shard>> shards;  // manifest order
};

// Reads manifest.json and every shard it lists; each shard must parse and
// match its manifest entry (size, count, model fingerprint, dim). With
// `check_sha256` the file's SHA-256 is compared too.
clip::Result<LoadedIndex> load_index(const std::string& dir, bool check_sha256);

// report.jsonl: one JSON object per skipped input.
std::string report_line(const SkippedInput& s);
// Lines that do not parse are dropped (the report is informational).
std::vector<SkippedInput> read_report(const std::string& dir);

// Current UTC time as ISO 8601 ("2025-01-31T12:00:00Z").
std::string utc_now_iso8601();

}  // namespace clipsearch
