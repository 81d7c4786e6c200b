// JSONL input: one object per line with an image key (path, file,
// image_path, url, image_url), optionally caption/text/title and id.
#include <filesystem>
#include <nlohmann/json.hpp>

#include "tools/pipeline/file_io.h"
#include "tools/pipeline/input_list.h"

namespace fs = std::filesystem;

namespace clipsearch {

namespace {

// Ids may be numbers in JSON; they become their decimal text.
std::string scalar_text(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer() || v.is_number_unsigned()) return v.dump();
  return "";
}

}  // namespace

clip::Result<InputList> read_jsonl(const std::string& file) {
  auto text = read_text_file(file);
  CLIP_TRY(text);
  InputList list;
  list.kind = "jsonl";
  const std::string name = fs::path(file).filename().string();
  const std::string base_dir = fs::path(file).parent_path().string();
  size_t line_no = 0, pos = 0;
  const std::string& t = *text;
  while (pos < t.size()) {
    size_t end = t.find('\n', pos);
    if (end == std::string::npos) end = t.size();
    std::string line = t.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line_no == 1 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string origin = name + ":" + std::to_string(line_no);
    const auto obj = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!obj.is_object()) {
      list.skipped.push_back({"", "", origin, "not a JSON object"});
      continue;
    }
    std::string image, caption, id;
    for (const auto& [key, value] : obj.items()) {
      switch (field_for_name(key)) {
        case Field::Image: if (image.empty()) image = scalar_text(value); break;
        case Field::Caption: if (caption.empty()) caption = scalar_text(value); break;
        case Field::Id: id = scalar_text(value); break;
        case Field::None: break;
      }
    }
    if (image.empty()) {
      list.skipped.push_back({id, "", origin, "no image key (path, file, image_path, url or image_url)"});
      continue;
    }
    list.items.push_back(make_item(image, caption, id, base_dir, origin));
  }
  return list;
}

}  // namespace clipsearch
