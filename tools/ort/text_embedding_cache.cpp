#include "tools/ort/text_embedding_cache.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "core/util/byte_reader.h"
#include "core/util/byte_writer.h"
#include "core/util/sha256.h"
#include "tools/ort/device.h"
#include "tools/pipeline/file_io.h"

namespace fs = std::filesystem;

namespace clipsearch {
namespace {

// File: magic, rows, dim, rows * dim little-endian f32, then the SHA-256 of
// everything before it (a torn or damaged file is recomputed, never used).
constexpr char kMagic[8] = {'C', 'L', 'I', 'P', 'T', 'X', 'E', '1'};
constexpr size_t kHeaderBytes = 16;
constexpr size_t kDigestBytes = 32;

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// What decides the embeddings: the encoder file as it is on disk, where it
// runs, and the exact token ids. Hex SHA-256 of all of it.
clip::Result<std::string> cache_key(const ClipModel& model, const std::vector<std::vector<int32_t>>& rows) {
  auto file = model.text_encoder_file();
  CLIP_TRY(file);
  struct stat st;
  if (::stat(file->c_str(), &st) != 0) return clip::make_error(*file + ": cannot stat: " + std::strerror(errno));
  clip::ByteWriter w;
  const std::string path = fs::absolute(*file).lexically_normal().string();
  w.bytes(kMagic, sizeof kMagic);
  w.u32(uint32_t(path.size()));
  w.bytes(path.data(), path.size());
  w.u64(uint64_t(st.st_size));
  w.u64(uint64_t(st.st_mtim.tv_sec));
  w.u64(uint64_t(st.st_mtim.tv_nsec));
  const std::string device = device_name(model.device());
  w.u32(uint32_t(device.size()));
  w.bytes(device.data(), device.size());
  w.u32(model.manifest().embedding_dim);
  w.u32(uint32_t(rows.size()));
  for (const auto& r : rows) {
    w.u32(uint32_t(r.size()));
    for (int32_t id : r) w.u32(uint32_t(id));
  }
  const std::vector<uint8_t> bytes = w.take();
  return clip::to_hex(clip::sha256(bytes.data(), bytes.size()));
}

// The stored embeddings when the file is whole and holds `rows` x `dim`.
bool read_cached(const std::string& path, size_t rows, size_t dim, std::vector<float>* out) {
  const size_t floats = rows * dim;
  auto bytes = read_file(path, kHeaderBytes + 4 * uint64_t(floats) + kDigestBytes);
  if (!bytes.ok() || bytes->size() != kHeaderBytes + 4 * floats + kDigestBytes) return false;
  const uint8_t* p = bytes->data();
  if (std::memcmp(p, kMagic, sizeof kMagic) != 0 || clip::load_le32(p + 8) != rows || clip::load_le32(p + 12) != dim)
    return false;
  const size_t body = kHeaderBytes + 4 * floats;
  const auto digest = clip::sha256(p, body);
  if (std::memcmp(digest.data(), p + body, kDigestBytes) != 0) return false;
  out->resize(floats);
  for (size_t i = 0; i < floats; ++i) (*out)[i] = clip::load_le_f32(p + kHeaderBytes + 4 * i);
  return true;
}

void write_cached(const std::string& path, size_t rows, size_t dim, const std::vector<float>& values) {
  clip::ByteWriter w;
  w.bytes(kMagic, sizeof kMagic);
  w.u32(uint32_t(rows));
  w.u32(uint32_t(dim));
  for (float v : values) w.f32(v);
  const auto digest = clip::sha256(w.at(0), w.size());
  w.bytes(digest.data(), digest.size());
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  // Not fsync'ed: a cache lost in a crash is recomputed. A failure is ignored
  // for the same reason (a read-only home, a full disk).
  if (!ec) (void)write_file_replace(path, w.take());
}

}  // namespace

std::string cache_folder() {
  if (std::string d = env("CLIPSEARCH_CACHE_DIR"); !d.empty()) return d;
  if (std::string d = env("XDG_CACHE_HOME"); !d.empty()) return (fs::path(d) / "clipsearch").string();
  if (std::string home = env("HOME"); !home.empty()) return (fs::path(home) / ".cache" / "clipsearch").string();
  return "";
}

clip::Result<std::vector<float>> cached_text_embeddings(ClipModel& model, const std::vector<std::string>& texts) {
  // Tokenized once: the key reads the ids, and a miss embeds them.
  auto rows = model.tokenize(texts);
  CLIP_TRY(rows);
  const std::string folder = cache_folder();
  auto key = folder.empty() ? clip::Result<std::string>(clip::make_error("no cache folder")) : cache_key(model, *rows);
  if (!key.ok()) return model.embed_token_rows(*rows);
  const std::string path = (fs::path(folder) / "text-embeddings" / (*key + ".f32")).string();
  const size_t dim = model.manifest().embedding_dim;
  std::vector<float> cached;
  if (read_cached(path, texts.size(), dim, &cached)) return cached;
  auto fresh = model.embed_token_rows(*rows);
  CLIP_TRY(fresh);
  write_cached(path, texts.size(), dim, *fresh);
  return fresh;
}

}  // namespace clipsearch
