// Progress of a long run on stderr: a redrawn bar with rate and ETA when
// stderr is a terminal, otherwise a plain line every few seconds (logs).
#pragma once
#include <chrono>
#include <cstddef>
#include <string>

namespace clipsearch {

class Progress {
 public:
  Progress(std::string label, size_t total);
  // Cheap to call per item: output is throttled.
  void update(size_t done, size_t skipped);
  // Final state, then a newline on a terminal.
  void finish(size_t done, size_t skipped);

 private:
  void draw(size_t done, size_t skipped, bool final);

  std::string label_;
  size_t total_;
  bool tty_;
  std::chrono::steady_clock::time_point start_, last_;
};

// "1h02m", "3m05s", "42s"
std::string format_duration(double seconds);

}  // namespace clipsearch
