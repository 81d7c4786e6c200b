#include "tools/pipeline/index_folder.h"

#include <cstdio>
#include <ctime>
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

clip::Result<LoadedIndex> load_index(const std::string& dir, bool check_sha256) {
  auto manifest = read_index_manifest(dir);
  if (!manifest.ok()) return manifest.error();
  LoadedIndex index;
  index.dir = dir;
  index.manifest = std::move(*manifest);
  for (const auto& entry : index.manifest.shards) {
    const std::string path = join_path(dir, entry.file);
    auto bytes = read_file(path, entry.bytes);
    if (!bytes.ok()) return bytes.error();
    if (bytes->size() != entry.bytes)
      return clip::make_error(path + ": " + std::to_string(bytes->size()) + " bytes, manifest.json says " +
                              std::to_string(entry.bytes));
    if (check_sha256 && clip::to_hex(clip::sha256(bytes->data(), bytes->size())) != entry.sha256)
      return clip::make_error(path + ": SHA-256 differs from manifest.json");
    auto shard = clip::Shard::parse(std::move(*bytes), path);
    if (!shard.ok()) return shard.error();
    if (shard->count() != entry.count)
      return clip::make_error(path + ": holds " + std::to_string(shard->count()) + " vectors, manifest.json says " +
                              std::to_string(entry.count));
    if (shard->model_fingerprint() != index.manifest.model_fingerprint || shard->dim() != index.manifest.dim)
      return clip::make_error(path + ": model fingerprint or dim differs from manifest.json");
    index.shards.push_back(std::make_shared<const clip::Shard>(std::move(*shard)));
  }
  return index;
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
