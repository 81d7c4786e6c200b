#include "tools/pipeline/index_folder.h"

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/util/sha256.h"
#include "tools/pipeline/file_io.h"

namespace clipsearch {

std::string join_path(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  return dir.back() == '/' ? dir + name : dir + "/" + name;
}

std::string shard_file_name(uint32_t number) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "shard-%05u.bin", number);
  return buf;
}

bool parse_shard_file_name(const std::string& name, uint32_t* number) {
  const std::string head = "shard-", tail = ".bin";
  if (name.size() < head.size() + 5 + tail.size() || name.compare(0, head.size(), head) != 0 ||
      name.compare(name.size() - tail.size(), tail.size(), tail) != 0)
    return false;
  const std::string digits = name.substr(head.size(), name.size() - head.size() - tail.size());
  if (digits.size() > 9) return false;
  uint32_t n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + uint32_t(c - '0');
  }
  if (shard_file_name(n) != name) return false;  // one spelling per number
  *number = n;
  return true;
}

std::string thumb_path(const std::string& id, const std::array<uint8_t, 32>& content_sha256) {
  clip::Sha256 h;
  h.update(id.data(), id.size());
  h.update("", 1);  // separator: ("ab", x) and ("a", "b"+x) differ
  h.update(content_sha256.data(), content_sha256.size());
  const std::string hex = clip::to_hex(h.finish());
  return std::string(kThumbsDir) + "/" + hex.substr(0, 24) + ".jpg";
}

bool is_safe_thumb_path(const std::string& thumb) {
  const std::string head = std::string(kThumbsDir) + "/";
  if (thumb.compare(0, head.size(), head) != 0 || thumb.size() == head.size() || thumb.size() > 255) return false;
  const std::string name = thumb.substr(head.size());
  if (name[0] == '.') return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
          c == '.'))
      return false;
  return true;
}

clip::Result<clip::IndexManifest> read_index_manifest(const std::string& dir) {
  const std::string path = join_path(dir, kManifestFile);
  auto text = read_text_file(path, uint64_t(256) << 20);
  if (!text.ok()) return clip::make_error(text.message() + (dir.empty() ? "" : " (is " + dir + " an index folder?)"));
  auto m = clip::parse_index_manifest(*text);
  if (!m.ok()) return clip::make_error(join_path(dir, m.message()));
  return m;
}

namespace {

// Reads one shard file and hands it to the index, which checks it.
clip::Status offer_shard(clip::Index& index, size_t entry, const std::string& path, bool check_sha256) {
  const clip::ShardEntry& e = index.manifest().shards[entry];
  std::error_code ec;
  const uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) return index.refuse_shard(entry, e.file + " cannot be read: " + ec.message());
  CLIP_TRY(index.check_size(entry, size));  // before reading a file of the wrong size
  auto bytes = read_file(path, e.bytes);
  if (!bytes.ok()) return index.refuse_shard(entry, e.file + " cannot be read: " + bytes.message());
  const std::string sha = check_sha256 ? clip::to_hex(clip::sha256(bytes->data(), bytes->size())) : "";
  return index.add_shard(entry, std::move(*bytes), sha);
}

}  // namespace

clip::Result<LoadedIndex> load_index(const std::string& dir, const LoadOptions& options) {
  auto manifest = read_index_manifest(dir);
  CLIP_TRY(manifest);
  LoadedIndex loaded{dir, clip::Index(std::move(*manifest))};
  clip::Index& index = loaded.index;
  for (size_t i = 0; i < index.shard_entries(); ++i) {
    const clip::ShardEntry& entry = index.manifest().shards[i];
    const std::string path = join_path(dir, entry.file);
    clip::Status st = offer_shard(index, i, path, options.check_sha256);
    // The index's messages start with the file name: the folder makes it a path.
    if (!st.ok() && !options.keep_going) return clip::make_error(join_path(dir, st.message()));
  }
  return loaded;
}

std::string report_line(const SkippedInput& s) {
  nlohmann::ordered_json j;
  j["id"] = s.id;
  j["source"] = s.source;
  j["origin"] = s.origin;
  j["reason"] = s.reason;
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

std::vector<SkippedInput> read_report(const std::string& dir) {
  std::vector<SkippedInput> out;
  auto text = read_text_file(join_path(dir, kReportFile), uint64_t(1) << 30);
  if (!text.ok()) return out;
  size_t pos = 0;
  while (pos < text->size()) {
    size_t end = text->find('\n', pos);
    if (end == std::string::npos) end = text->size();
    const auto j = nlohmann::json::parse(text->begin() + long(pos), text->begin() + long(end), nullptr, false);
    pos = end + 1;
    if (!j.is_object()) continue;
    auto get = [&](const char* k) { return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : ""; };
    out.push_back({get("id"), get("source"), get("origin"), get("reason")});
  }
  return out;
}

std::string utc_now_iso8601() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace clipsearch
