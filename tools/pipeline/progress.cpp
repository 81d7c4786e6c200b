#include "tools/pipeline/progress.h"

#include <unistd.h>

#include <cstdio>

namespace clipsearch {

std::string format_duration(double seconds) {
  if (!(seconds >= 0) || seconds > 1e7) return "?";
  const long s = long(seconds + 0.5);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s / 60) % 60);
  else if (s >= 60)
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%lds", s);
  return buf;
}

Progress::Progress(std::string label, size_t total)
    : label_(std::move(label)), total_(total), tty_(::isatty(STDERR_FILENO) != 0) {
  start_ = last_ = std::chrono::steady_clock::now();
}

void Progress::update(size_t done, size_t skipped) {
  const auto now = std::chrono::steady_clock::now();
  const auto every = tty_ ? std::chrono::milliseconds(100) : std::chrono::milliseconds(5000);
  if (now - last_ < every) return;
  last_ = now;
  draw(done, skipped, false);
}

void Progress::finish(size_t done, size_t skipped) {
  draw(done, skipped, true);
  if (tty_) std::fputc('\n', stderr);
}

void Progress::draw(size_t done, size_t skipped, bool final) {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const size_t handled = done + skipped;
  const double rate = elapsed > 0 ? done / elapsed : 0;
  const double per_item = handled > 0 ? elapsed / handled : 0;
  const std::string eta = final ? format_duration(elapsed) : format_duration(per_item * (total_ - handled));
  const double frac = total_ ? double(handled) / total_ : 1.0;
  if (tty_) {
    constexpr int kWidth = 28;
    const int filled = int(frac * kWidth);
    std::string bar(size_t(filled), '#');
    bar.append(size_t(kWidth - filled), '.');
    std::fprintf(stderr, "\r%s [%s] %zu/%zu %3d%% %.1f img/s %s %s, %zu skipped\x1b[K", label_.c_str(), bar.c_str(),
                 handled, total_, int(frac * 100), rate, final ? "took" : "ETA", eta.c_str(), skipped);
  } else {
    std::fprintf(stderr, "%s: %zu/%zu (%d%%) %.1f img/s, %s %s, %zu skipped\n", label_.c_str(), handled, total_,
                 int(frac * 100), rate, final ? "took" : "ETA", eta.c_str(), skipped);
  }
  std::fflush(stderr);
}

}  // namespace clipsearch
