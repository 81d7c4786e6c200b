// Where an indexing run spends its time, summed over threads: the summary
// prints each stage's share, --stats-json writes the numbers.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>

namespace clipsearch {

enum class Stage { Read, Decode, Preprocess, Thumbnail, Encode, Write, Count };
constexpr const char* kStageNames[] = {"read", "decode", "preprocess", "thumbnail", "encode", "write"};

struct StageTimes {
  std::atomic<uint64_t> ns[size_t(Stage::Count)] = {};

  double seconds(Stage s) const { return double(ns[size_t(s)].load()) * 1e-9; }
  double total_seconds() const {
    double t = 0;
    for (size_t i = 0; i < size_t(Stage::Count); ++i) t += seconds(Stage(i));
    return t;
  }
};

// Adds the lifetime of the scope to one stage.
class StageTimer {
 public:
  StageTimer(StageTimes& times, Stage stage)
      : times_(times), stage_(stage), start_(std::chrono::steady_clock::now()) {}
  ~StageTimer() {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start_);
    times_.ns[size_t(stage_)] += uint64_t(ns.count());
  }
  StageTimer(const StageTimer&) = delete;
  StageTimer& operator=(const StageTimer&) = delete;

 private:
  StageTimes& times_;
  Stage stage_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace clipsearch
