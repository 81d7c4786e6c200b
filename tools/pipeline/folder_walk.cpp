// Folder input: every image file below the folder, in sorted order so that
// runs (and --part slices) see the same list. Symlinks are followed, each
// real folder visited once, so a link loop ends the walk of that branch.
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <utility>

#include "tools/pipeline/input_list.h"

namespace fs = std::filesystem;

namespace clipsearch {

namespace {

bool has_image_extension(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  // Formats stb_image reads, plus ones it does not (WebP, AVIF, HEIC, TIFF):
  // those are attempted and reported, so the user learns why they are missing.
  static const std::set<std::string> known = {".jpg", ".jpeg", ".jpe", ".png", ".bmp", ".gif", ".tga",
                                              ".psd", ".pnm", ".ppm", ".pgm", ".pbm", ".hdr", ".pic",
                                              ".webp", ".avif", ".heic", ".heif", ".tif", ".tiff"};
  return known.count(ext) > 0;
}

// "red_circle-left.png" -> "red circle left"
std::string caption_from_stem(const fs::path& p) {
  std::string s = p.stem().string();
  std::replace(s.begin(), s.end(), '_', ' ');
  std::replace(s.begin(), s.end(), '-', ' ');
  return s;
}

struct Walker {
  InputList* list;
  std::string root_as_given;
  std::set<std::pair<dev_t, ino_t>> seen_dirs;

  void walk(const fs::path& dir, const fs::path& rel) {
    struct stat st;
    if (::stat(dir.c_str(), &st) != 0 || !seen_dirs.insert({st.st_dev, st.st_ino}).second) return;
    std::vector<fs::path> names;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
      names.push_back(it->path().filename());
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
      const fs::path full = dir / name;
      const fs::path child_rel = rel / name;
      if (name.string()[0] == '.') {
        ++list->hidden;
        continue;
      }
      if (::stat(full.c_str(), &st) != 0) continue;  // dangling link
      if (S_ISDIR(st.st_mode)) {
        walk(full, child_rel);
      } else if (!S_ISREG(st.st_mode) || !has_image_extension(name)) {
        ++list->not_image;
      } else {
        const std::string source = (fs::path(root_as_given) / child_rel).string();
        InputItem item = make_item(source, caption_from_stem(name), child_rel.generic_string(), "",
                                   root_as_given);
        list->items.push_back(std::move(item));
      }
    }
  }
};

}  // namespace

clip::Result<InputList> read_folder(const std::string& dir) {
  InputList list;
  list.kind = "folder";
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return clip::make_error(dir + ": not a folder");
  Walker w{&list, dir, {}};
  w.walk(dir, "");
  return list;
}

}  // namespace clipsearch
