// Progress of one file download on stderr: a redrawn line on a terminal, a
// plain line every few seconds otherwise (logs, tests).
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace clipsearch {

class DownloadProgress {
 public:
  explicit DownloadProgress(std::string label);
  void update(uint64_t done, uint64_t total);  // total 0 while unknown; throttled
  void finish();                               // ends a redrawn line

 private:
  std::string label_;
  bool tty_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

// "352.0 MB", "862 KB", "17 B"
std::string format_bytes(uint64_t n);

}  // namespace clipsearch
