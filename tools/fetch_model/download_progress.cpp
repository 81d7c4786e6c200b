#include "tools/fetch_model/download_progress.h"

#include <unistd.h>

#include <cstdio>

namespace clipsearch {

std::string format_bytes(uint64_t n) {
  char buf[32];
  if (n >= 1000ull * 1000 * 1000)
    std::snprintf(buf, sizeof buf, "%.2f GB", n / 1e9);
  else if (n >= 1000ull * 1000)
    std::snprintf(buf, sizeof buf, "%.1f MB", n / 1e6);
  else if (n >= 1000)
    std::snprintf(buf, sizeof buf, "%.0f KB", n / 1e3);
  else
    std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(n));
  return buf;
}

DownloadProgress::DownloadProgress(std::string label)
    : label_(std::move(label)), tty_(::isatty(STDERR_FILENO) != 0) {
  start_ = last_ = std::chrono::steady_clock::now();
}

void DownloadProgress::update(uint64_t done, uint64_t total) {
  const auto now = std::chrono::steady_clock::now();
  if (now - last_ < (tty_ ? std::chrono::milliseconds(200) : std::chrono::milliseconds(5000))) return;
  last_ = now;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  const std::string rate = format_bytes(seconds > 0 ? uint64_t(done / seconds) : 0) + "/s";
  std::string line = label_ + ": " + format_bytes(done);
  if (total > 0) line += " of " + format_bytes(total) + " (" + std::to_string(done * 100 / total) + "%)";
  line += ", " + rate;
  if (tty_) {
    std::fprintf(stderr, "\r%s\x1b[K", line.c_str());
    drawn_ = true;
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  std::fflush(stderr);
}

void DownloadProgress::finish() {
  if (drawn_) std::fprintf(stderr, "\r\x1b[K");
  drawn_ = false;
}

}  // namespace clipsearch
