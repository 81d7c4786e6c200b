// A bounded, order-keeping parallel map: worker threads compute work(i) for
// i = 0, 1, 2, ... at most `window` items ahead of the consumer, which takes
// the results strictly in index order. The window bounds memory (decoded
// tensors wait in it) while keeping the consumer (the encoder) fed.
#pragma once
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace clipsearch {

template <class T>
class OrderedPool {
 public:
  OrderedPool(size_t count, size_t threads, size_t window, std::function<T(size_t)> work)
      : count_(count), window_(window < 1 ? 1 : window), work_(std::move(work)), slots_(window_) {
    for (size_t t = 0; t < (threads < 1 ? 1 : threads); ++t) workers_.emplace_back([this] { run(); });
  }
  ~OrderedPool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    changed_.notify_all();
    for (auto& w : workers_) w.join();
  }
  OrderedPool(const OrderedPool&) = delete;
  OrderedPool& operator=(const OrderedPool&) = delete;

  // The next result in index order; false once all `count` were taken.
  bool next(T* out) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (consumed_ == count_) return false;
    auto& slot = slots_[consumed_ % window_];
    changed_.wait(lock, [&] { return slot.has_value(); });
    *out = std::move(*slot);
    slot.reset();
    ++consumed_;
    lock.unlock();
    changed_.notify_all();
    return true;
  }

 private:
  void run() {
    for (;;) {
      size_t i;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        changed_.wait(lock, [&] { return stop_ || claimed_ == count_ || claimed_ < consumed_ + window_; });
        if (stop_ || claimed_ == count_) return;
        i = claimed_++;
      }
      T result = work_(i);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        slots_[i % window_] = std::move(result);
      }
      changed_.notify_all();
    }
  }

  const size_t count_, window_;
  std::function<T(size_t)> work_;
  std::vector<std::optional<T>> slots_;
  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable changed_;
  size_t claimed_ = 0, consumed_ = 0;
  bool stop_ = false;
};

}  // namespace clipsearch
