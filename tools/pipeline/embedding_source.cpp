#include "tools/pipeline/embedding_source.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "tools/pipeline/run_program.h"

namespace fs = std::filesystem;

namespace clipsearch {
namespace {

// Columns clip-retrieval writes that name an image or caption
// (clip_retrieval/clip_inference/writer.py: image_path, caption, and the
// keys of each sample's JSON metadata such as url).
const std::vector<std::string> kClipRetrievalColumns = {"image_path", "caption", "url"};

std::string text_of(const nlohmann::json& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number()) return it->dump();
  return "";
}

// "metadata_007.parquet" -> "007" (the part number as written, zero padding kept).
bool part_number(const std::string& name, const std::string& prefix, const std::string& ext, std::string* number) {
  if (name.size() <= prefix.size() + ext.size() || name.compare(0, prefix.size(), prefix) != 0 ||
      name.compare(name.size() - ext.size(), ext.size(), ext) != 0)
    return false;
  *number = name.substr(prefix.size(), name.size() - prefix.size() - ext.size());
  return !number->empty() && std::all_of(number->begin(), number->end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::map<std::string, std::string> parts_in(const std::string& dir, const std::string& prefix, const std::string& ext) {
  std::map<std::string, std::string> out;  // by number: "0" < "00"? numbers are compared as integers below
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string n;
    if (it->is_regular_file() && part_number(it->path().filename().string(), prefix, ext, &n))
      out[n] = it->path().string();
  }
  return out;
}

clip::Result<std::vector<EmbeddingPart>> read_clip_retrieval_folder(const EmbeddingSourceOptions& o) {
  std::string meta_dir = o.metadata;
  std::error_code ec;
  if (fs::is_directory(fs::path(o.metadata) / "metadata", ec)) meta_dir = (fs::path(o.metadata) / "metadata").string();
  std::string emb_dir = o.embeddings;
  if (emb_dir.empty()) emb_dir = (fs::path(meta_dir).parent_path() / "img_emb").string();
  const auto metas = parts_in(meta_dir, "metadata_", ".parquet");
  if (metas.empty())
    return clip::make_error(o.metadata + ": no metadata_N.parquet files (a clip-retrieval output folder holds "
                                         "metadata/metadata_N.parquet and img_emb/img_emb_N.npy)");
  if (!fs::is_directory(emb_dir, ec))
    return clip::make_error(emb_dir + ": no such folder of img_emb_N.npy files (pass --embeddings)");
  const auto embs = parts_in(emb_dir, "img_emb_", ".npy");
  std::vector<std::pair<std::string, std::string>> order(metas.begin(), metas.end());
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    return std::stoull(a.first) < std::stoull(b.first);
  });
  for (const auto& [n, path] : embs)
    if (!metas.count(n)) return clip::make_error(path + " has no metadata_" + n + ".parquet in " + meta_dir);
  if (o.parquet_script.empty())
    return clip::make_error("reading Parquet needs tools/parquet/parquet_rows.mjs, which this installation lacks");
  std::vector<EmbeddingPart> parts;
  for (const auto& [n, meta] : order) {
    auto npy = embs.find(n);
    if (npy == embs.end()) return clip::make_error(meta + " has no img_emb_" + n + ".npy in " + emb_dir);
    std::vector<std::string> argv = {o.node, o.parquet_script, meta};
    argv.insert(argv.end(), kClipRetrievalColumns.begin(), kClipRetrievalColumns.end());
    auto rows = run_program(argv);
    if (!rows.ok())
      return clip::make_error(meta + ": " + rows.message() +
                              " (Parquet is read by Node.js with the npm package hyparquet: install Node.js 18 or "
                              "later and run tools/setup.sh, or set CLIPSEARCH_NODE)");
    auto items = clip_retrieval_items(*rows, meta, o.images_root);
    CLIP_TRY(items);
    parts.push_back({npy->second, meta, std::move(*items)});
  }
  return parts;
}

}  // namespace

clip::Result<std::vector<InputItem>> clip_retrieval_items(const std::string& jsonl, const std::string& file,
                                                          const std::string& images_root) {
  const std::string name = fs::path(file).filename().string();
  size_t pos = 0, line_no = 0;
  std::vector<InputItem> items;
  size_t expected = 0;
  bool header = true;
  while (pos < jsonl.size()) {
    size_t end = jsonl.find('\n', pos);
    if (end == std::string::npos) end = jsonl.size();
    const std::string line = jsonl.substr(pos, end - pos);
    pos = end + 1;
    const auto o = nlohmann::json::parse(line, nullptr, false);
    if (!o.is_object()) return clip::make_error(file + ": the Parquet reader printed something that is not JSON");
    if (header) {
      header = false;
      const auto& cols = o.value("columns", nlohmann::json::array());
      if (std::find(cols.begin(), cols.end(), "image_path") == cols.end() &&
          std::find(cols.begin(), cols.end(), "url") == cols.end())
        return clip::make_error(file + ": no image_path or url column (columns: " + cols.dump() +
                                "); is this clip-retrieval's metadata?");
      expected = o.value("rows", size_t(0));
      continue;
    }
    ++line_no;
    const std::string origin = name + ": row " + std::to_string(line_no);
    const std::string path = text_of(o, "image_path"), url = text_of(o, "url"), caption = text_of(o, "caption");
    std::string source = path;
    if (!path.empty() && !is_url(path)) {
      const fs::path resolved = fs::path(path).is_absolute() || images_root.empty() ? fs::path(path)
                                                                                   : fs::path(images_root) / path;
      std::error_code ec;
      if (!fs::is_regular_file(resolved, ec) && !url.empty()) source = url;
    }
    if (source.empty()) source = url;
    if (source.empty()) return clip::make_error(origin + ": neither image_path nor url is set");
    const std::string id = path.empty() ? url : path;
    // A local path resolves against --images-root (clip-retrieval wrote it as it was given to `clip inference`).
    items.push_back(make_item(source, caption, id, source == path ? images_root : "", origin));
  }
  if (items.size() != expected)
    return clip::make_error(file + ": " + std::to_string(expected) + " rows in the file but " +
                            std::to_string(items.size()) + " read");
  return items;
}

clip::Result<std::vector<EmbeddingPart>> read_embedding_source(const EmbeddingSourceOptions& o) {
  std::error_code ec;
  if (!fs::exists(o.metadata, ec)) return clip::make_error(o.metadata + ": metadata not found");
  std::vector<EmbeddingPart> parts;
  if (fs::is_directory(o.metadata, ec)) {
    auto cr = read_clip_retrieval_folder(o);
    CLIP_TRY(cr);
    parts = std::move(*cr);
  } else {
    if (o.embeddings.empty() || fs::is_directory(o.embeddings, ec))
      return clip::make_error("--embeddings must name the .npy file whose rows " + o.metadata + " describes");
    auto list = read_inputs(o.metadata, InputOptions{});
    CLIP_TRY(list);
    if (!list->skipped.empty()) {
      const SkippedInput& s = list->skipped.front();
      return clip::make_error(s.origin + ": " + s.reason +
                              " (metadata rows pair one to one with the rows of " + o.embeddings +
                              ", so none may be left out)");
    }
    parts.push_back({o.embeddings, o.metadata, std::move(list->items)});
  }
  std::unordered_set<std::string> ids;
  for (const auto& p : parts)
    for (const auto& it : p.items)
      if (!ids.insert(it.id).second)
        return clip::make_error(it.origin + ": id \"" + it.id + "\" is used by an earlier row");
  return parts;
}

}  // namespace clipsearch
