// What `clipsearch index --input` reads: a folder of images, or a CSV / TSV /
// JSONL file of rows naming an image (path or URL) and optionally a caption
// and an id. Every reader yields the same list of items in input order.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "core/util/result.h"

namespace clipsearch {

struct InputItem {
  std::string id;        // unique; defaults to `source`
  std::string caption;
  std::string source;    // path or URL exactly as given (stored in the index)
  std::string location;  // where to read it: a local path or the URL
  bool is_url = false;
  std::string origin;    // for reports: "captions.csv:12", "photos/"
};

// An input that will not be indexed, and why (a line of report.jsonl).
struct SkippedInput {
  std::string id;
  std::string source;
  std::string origin;
  std::string reason;
};

struct InputList {
  std::string kind;  // "folder", "csv", "tsv", "jsonl"
  std::vector<InputItem> items;
  std::vector<SkippedInput> skipped;  // unreadable rows, duplicate ids
  size_t hidden = 0;     // folder walk: hidden files and folders passed over
  size_t not_image = 0;  // folder walk: files without an image extension
};

struct InputOptions {
  // --columns for headerless tables, e.g. {"caption", "url"}; other names
  // (say "-") mark columns to ignore.
  std::vector<std::string> columns;
};

// Dispatches on what `path` is: a folder, or a file by extension (.csv,
// .tsv/.tab/.txt, .jsonl/.ndjson). Fails only when the input as a whole is
// unusable; bad rows become `skipped` entries.
clip::Result<InputList> read_inputs(const std::string& path, const InputOptions& options);

// The readers behind read_inputs.
clip::Result<InputList> read_folder(const std::string& dir);
clip::Result<InputList> read_table(const std::string& file, char separator, const InputOptions& options);
clip::Result<InputList> read_jsonl(const std::string& file);

// Column / key names, matched case-insensitively.
enum class Field { None, Image, Caption, Id };
Field field_for_name(const std::string& name);

bool is_url(const std::string& source);
// A row's image as an item: the source resolved against `base_dir` when it is
// a relative local path, id defaulting to the source.
InputItem make_item(std::string source, std::string caption, std::string id, const std::string& base_dir,
                    std::string origin);

}  // namespace clipsearch
