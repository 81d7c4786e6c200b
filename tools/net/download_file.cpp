// download_to_file: PATH.part, resumed with Range requests across attempts
// and across runs, verified, then renamed into place.
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include "tools/net/transfer.h"

namespace clipsearch::net {
namespace {

namespace fs = std::filesystem;

uint64_t size_or_zero(const std::string& path) {
  std::error_code ec;
  auto n = fs::file_size(path, ec);
  return ec ? 0 : uint64_t(n);
}

// Feeds the first `n` bytes of an earlier PATH.part to the hash, so the final
// SHA-256 covers the whole file without reading it twice at the end.
bool hash_prefix(const std::string& path, uint64_t n, clip::Sha256* hash) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return false;
  std::vector<char> buf(1 << 20);
  while (n > 0) {
    size_t want = size_t(std::min<uint64_t>(n, buf.size()));
    size_t got = std::fread(buf.data(), 1, want, f);
    if (got != want) break;
    hash->update(buf.data(), got);
    n -= got;
  }
  std::fclose(f);
  return n == 0;
}

// Size and hash checks on a complete PATH.part, then the rename that makes
// PATH appear only in its final, verified form.
clip::Result<Downloaded> finish(const std::string& url, const std::string& part, const std::string& path,
                                uint64_t bytes, const std::string& sha256, const DownloadOptions& opt,
                                Downloaded result) {
  if (opt.expected_bytes && bytes != opt.expected_bytes) {
    fs::remove(part);
    return clip::make_error(url + ": got " + std::to_string(bytes) + " bytes, expected " +
                            std::to_string(opt.expected_bytes) + " (the download was discarded)");
  }
  if (!opt.expected_sha256.empty() && sha256 != opt.expected_sha256) {
    fs::remove(part);
    return clip::make_error(url + ": SHA-256 mismatch: expected " + opt.expected_sha256 + ", got " + sha256 +
                            " (the download was discarded)");
  }
  std::error_code ec;
  fs::rename(part, path, ec);
  if (ec) return clip::make_error("cannot rename " + part + " to " + path + ": " + ec.message());
  result.bytes = bytes;
  result.sha256 = sha256;
  return result;
}

bool close_file(FILE* f) {
  bool ok = std::fflush(f) == 0 && fsync(fileno(f)) == 0;
  return std::fclose(f) == 0 && ok;
}

}  // namespace

clip::Result<Downloaded> download_to_file(const std::string& url, const std::string& path,
                                          const DownloadOptions& opt) {
  const std::string part = path + ".part";
  const uint64_t max_bytes = opt.limits.max_bytes;
  const int attempts = std::max(1, opt.attempts);
  int delay_ms = opt.retry_delay_ms;
  Downloaded result;
  std::string last_error;
  if (!opt.resume) fs::remove(part);

  for (int attempt = 1; attempt <= attempts; ++attempt) {
    result.attempts = attempt;
    uint64_t have = size_or_zero(part);
    if ((opt.expected_bytes && have > opt.expected_bytes) || (max_bytes && have > max_bytes)) {
      fs::remove(part);  // cannot be a prefix of the file we want
      have = 0;
    }
    clip::Sha256 hash;
    if (have > 0 && !hash_prefix(part, have, &hash)) {
      fs::remove(part);
      have = 0;
      hash = clip::Sha256();
    }
    // A run that died between the last byte and the rename.
    if (have > 0 && have == opt.expected_bytes) {
      result.resumed_from = have;
      return finish(url, part, path, have, clip::to_hex(hash.finish()), opt, result);
    }

    FILE* f = std::fopen(part.c_str(), "ab");
    if (!f) return clip::make_error("cannot write " + part + ": " + std::strerror(errno));
    Transfer t(url);
    t.file = f;
    t.hash = &hash;
    t.offset = have;
    t.progress = opt.progress;
    auto setup = setup_transfer(t, opt.limits);
    if (!setup.ok()) {
      std::fclose(f);
      return setup.error();
    }
    CURLcode code = curl_easy_perform(t.curl);
    bool closed = close_file(f);
    std::string err = transfer_error(t, code);
    if (err.empty() && !closed) err = "cannot write " + part + ": " + std::strerror(errno);

    if (err.empty()) {
      result.resumed_from = t.restarted ? 0 : have;
      return finish(url, part, path, t.offset + t.received, clip::to_hex(hash.finish()), opt, result);
    }
    long status = response_status(t);
    if ((have > 0 && status == 416) || t.bad_range) {
      // Our PATH.part is not a prefix of what the server holds now.
      fs::remove(part);
      last_error = err;
      continue;
    }
    last_error = err;
    if (!transfer_retryable(t, code) || attempt == attempts) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    delay_ms *= 2;
  }
  uint64_t kept = size_or_zero(part);
  if (kept == 0) fs::remove(part);
  if (kept > 0) last_error += " (" + std::to_string(kept) + " bytes kept in " + part + "; run again to resume)";
  return clip::make_error(last_error);
}

}  // namespace clipsearch::net
