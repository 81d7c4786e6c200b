// manifest.json parsing and writing. The text may come from anywhere (a URL
// in the page), so nothing is trusted: json::parse without exceptions, and
// every field's presence, type and range is checked before it is read.
#include "core/index/index_manifest.h"

#include <nlohmann/json.hpp>
#include <set>

#include "core/index/shard.h"

namespace clip {
namespace {

using json = nlohmann::json;

constexpr size_t kMaxShards = 1u << 20;

// Reads typed fields of one JSON object, remembering the first problem.
class Fields {
 public:
  Fields(const json& obj, std::string where) : obj_(obj), where_(std::move(where)) {}

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  const json* get(const char* key, bool required) {
    auto it = obj_.find(key);
    if (it == obj_.end()) {
      if (required) fail(key, "is missing");
      return nullptr;
    }
    return &*it;
  }

  void str(const char* key, std::string* out, bool required = true) {
    const json* v = get(key, required);
    if (!v) return;
    if (!v->is_string()) return fail(key, "must be a string");
    *out = v->get_ref<const std::string&>();
  }

  void boolean(const char* key, bool* out, bool required = true) {
    const json* v = get(key, required);
    if (!v) return;
    if (!v->is_boolean()) return fail(key, "must be true or false");
    *out = v->get<bool>();
  }

  // A non-negative integer no larger than max (rejects 1.5, -1, "1", 1e30).
  void uint(const char* key, uint64_t max, uint64_t* out, bool required = true) {
    const json* v = get(key, required);
    if (!v) return;
    if (!v->is_number_unsigned()) return fail(key, "must be a non-negative integer");
    const uint64_t x = v->get<uint64_t>();
    if (x > max) return fail(key, "is " + std::to_string(x) + ", more than the limit of " + std::to_string(max));
    *out = x;
  }
  template <class T>
  void uint(const char* key, uint64_t max, T* out, bool required = true) {
    uint64_t x = *out;
    uint(key, max, &x, required);
    *out = T(x);
  }

  void fail(const std::string& key, const std::string& what) {
    if (error_.empty()) error_ = where_ + "\"" + key + "\" " + what;
  }

 private:
  const json& obj_;
  std::string where_;
  std::string error_;
};

bool is_lower_hex(const std::string& s, size_t n) {
  if (s.size() != n) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// Shard files sit directly in the index folder: a name from a hostile
// manifest must not reach outside it ("../x", "/etc/x", "a/b").
bool is_plain_file_name(const std::string& s) {
  if (s.empty() || s.size() > 255 || s[0] == '.') return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
          c == '.'))
      return false;
  return true;
}

Error manifest_error(const std::string& what) { return make_error("manifest.json: " + what); }

}  // namespace

Result<IndexManifest> parse_index_manifest(std::string_view text) {
  const json root = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return manifest_error("not valid JSON");
  if (!root.is_object()) return manifest_error("top level must be a JSON object");

  IndexManifest m;
  Fields f(root, "");
  f.uint("version", UINT32_MAX, &m.version);
  if (f.ok() && m.version != 1 && m.version != 2)
    return manifest_error("index format version " + std::to_string(m.version) +
                          " is not supported (this build reads versions 1 and 2)");
  f.str("tool_version", &m.tool_version, false);
  f.str("created_utc", &m.created_utc, false);
  f.uint("dim", kShardMaxDim, &m.dim);
  f.str("quantization", &m.quantization);
  f.boolean("binary_codes", &m.binary_codes);
  f.uint("count", UINT64_MAX, &m.count);
  if (!f.ok()) return manifest_error(f.error());
  if (m.dim == 0 || m.dim % 8 != 0) return manifest_error("\"dim\" " + std::to_string(m.dim) + " must be a positive multiple of 8");
  if (m.quantization != "int8")
    return manifest_error("\"quantization\" \"" + m.quantization + "\" is not supported (expected \"int8\")");

  const json* model = f.get("model", true);
  if (!model) return manifest_error(f.error());
  if (!model->is_object()) return manifest_error("\"model\" must be an object");
  Fields mf(*model, "model.");
  mf.str("name", &m.model_name);
  mf.str("fingerprint", &m.model_fingerprint);
  mf.str("location", &m.model_location, false);
  if (!mf.ok()) return manifest_error(mf.error());
  if (m.model_fingerprint.size() > kShardMaxFingerprint)
    return manifest_error("model.fingerprint is longer than " + std::to_string(kShardMaxFingerprint) + " bytes");

  const json* shards = f.get("shards", true);
  if (!shards) return manifest_error(f.error());
  if (!shards->is_array()) return manifest_error("\"shards\" must be an array");
  if (shards->size() > kMaxShards)
    return manifest_error("lists " + std::to_string(shards->size()) + " shards, more than the limit of " +
                          std::to_string(kMaxShards));
  uint64_t total = 0;
  std::set<std::string> seen;
  m.shards.reserve(shards->size());
  for (size_t i = 0; i < shards->size(); ++i) {
    const json& s = (*shards)[i];
    const std::string where = "shards[" + std::to_string(i) + "]";
    if (!s.is_object()) return manifest_error(where + " must be an object");
    ShardEntry e;
    Fields sf(s, where + ".");
    sf.str("file", &e.file);
    sf.uint("bytes", UINT64_MAX, &e.bytes);
    sf.str("sha256", &e.sha256);
    sf.uint("count", kShardMaxCount, &e.count);
    if (m.version >= 2) {
      sf.uint("version", UINT32_MAX, &e.version);
      if (sf.ok() && e.version != 1 && e.version != 2)
        return manifest_error(where + ".version " + std::to_string(e.version) + " is not a shard format this build reads");
      if (e.version == 2) {
        sf.uint("head_bytes", UINT64_MAX, &e.head_bytes);
        sf.str("head_sha256", &e.head_sha256);
      }
    }
    if (!sf.ok()) return manifest_error(sf.error());
    if (e.version == 2 && !is_lower_hex(e.head_sha256, 64))
      return manifest_error(where + ".head_sha256 must be 64 lowercase hex digits");
    if (e.version == 2 && (e.head_bytes == 0 || e.head_bytes > e.bytes))
      return manifest_error(where + ".head_bytes " + std::to_string(e.head_bytes) + " must be between 1 and the shard's " +
                            std::to_string(e.bytes) + " bytes");
    if (!is_plain_file_name(e.file))
      return manifest_error(where + ".file \"" + e.file + "\" must be a plain file name in the index folder");
    if (!seen.insert(e.file).second) return manifest_error(where + ".file \"" + e.file + "\" is listed twice");
    if (!is_lower_hex(e.sha256, 64))
      return manifest_error(where + ".sha256 must be 64 lowercase hex digits");
    total += e.count;  // at most 2^20 shards of 2^24: no overflow
    m.shards.push_back(std::move(e));
  }
  if (total != m.count)
    return manifest_error("\"count\" is " + std::to_string(m.count) + " but the shards hold " + std::to_string(total));
  return m;
}

std::string serialize_index_manifest(const IndexManifest& m) {
  bool any_v2 = false;
  for (const ShardEntry& e : m.shards) any_v2 = any_v2 || e.version != 1;
  // ordered_json keeps the fields in a readable order.
  nlohmann::ordered_json j;
  j["version"] = any_v2 ? 2 : 1;
  j["tool_version"] = m.tool_version;
  j["created_utc"] = m.created_utc;
  j["model"] = {{"name", m.model_name}, {"fingerprint", m.model_fingerprint}, {"location", m.model_location}};
  j["dim"] = m.dim;
  j["quantization"] = m.quantization;
  j["binary_codes"] = m.binary_codes;
  j["count"] = m.count;
  j["shards"] = nlohmann::ordered_json::array();
  for (const ShardEntry& e : m.shards) {
    nlohmann::ordered_json s = {{"file", e.file}, {"bytes", e.bytes}, {"sha256", e.sha256}, {"count", e.count}};
    if (any_v2) s["version"] = e.version;
    if (e.version == 2) {
      s["head_bytes"] = e.head_bytes;
      s["head_sha256"] = e.head_sha256;
    }
    j["shards"].push_back(std::move(s));
  }
  // `replace`: invalid UTF-8 in a caller's string must not throw (wasm has no exceptions).
  return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace clip
