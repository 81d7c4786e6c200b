#include "tools/pipeline/input_list.h"

#include <algorithm>
#include <filesystem>
#include <unordered_map>

namespace fs = std::filesystem;

namespace clipsearch {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}

// Later rows with an id seen before are skipped, so each id is indexed once.
void drop_duplicate_ids(InputList& list) {
  std::unordered_map<std::string, size_t> first;
  std::vector<InputItem> kept;
  kept.reserve(list.items.size());
  for (auto& item : list.items) {
    auto [it, inserted] = first.emplace(item.id, kept.size());
    if (inserted) {
      kept.push_back(std::move(item));
      continue;
    }
    list.skipped.push_back({item.id, item.source, item.origin,
                            "duplicate id (first at " + kept[it->second].origin + ")"});
  }
  list.items = std::move(kept);
}

}  // namespace

Field field_for_name(const std::string& name) {
  const std::string n = lower(name);
  if (n == "path" || n == "file" || n == "image_path" || n == "url" || n == "image_url" || n == "source")
    return Field::Image;
  if (n == "caption" || n == "text" || n == "title") return Field::Caption;
  if (n == "id") return Field::Id;
  return Field::None;
}

bool is_url(const std::string& source) {
  const std::string head = lower(source.substr(0, 8));
  return head.rfind("http://", 0) == 0 || head.rfind("https://", 0) == 0;
}

InputItem make_item(std::string source, std::string caption, std::string id, const std::string& base_dir,
                    std::string origin) {
  InputItem item;
  item.is_url = is_url(source);
  if (item.is_url || base_dir.empty() || fs::path(source).is_absolute())
    item.location = source;
  else
    item.location = (fs::path(base_dir) / source).lexically_normal().string();
  item.id = id.empty() ? source : std::move(id);
  item.caption = std::move(caption);
  item.source = std::move(source);
  item.origin = std::move(origin);
  return item;
}

clip::Result<InputList> read_inputs(const std::string& path, const InputOptions& options) {
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (ec || !fs::exists(status)) return clip::make_error(path + ": input not found");
  clip::Result<InputList> list = clip::make_error("");
  if (fs::is_directory(status)) {
    list = read_folder(path);
  } else {
    const std::string ext = lower(fs::path(path).extension().string());
    if (ext == ".csv")
      list = read_table(path, ',', options);
    else if (ext == ".tsv" || ext == ".tab" || ext == ".txt")
      list = read_table(path, '\t', options);
    else if (ext == ".jsonl" || ext == ".ndjson")
      list = read_jsonl(path);
    else
      return clip::make_error(path + ": unknown input type '" + ext +
                              "' (expected a folder, .csv, .tsv or .jsonl)");
  }
  CLIP_TRY(list);
  drop_duplicate_ids(*list);
  return list;
}

}  // namespace clipsearch
