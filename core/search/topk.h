// Bounded top-k: keeps the k best items seen so far in a heap whose front is
// the worst kept item, so a candidate is tested against one element.
#pragma once
#include <algorithm>
#include <utility>
#include <cstddef>
#include <vector>

namespace clip {

// Better(a, b) is a strict total order: true when a ranks before b. Ties
// must be broken inside it (e.g. by position) so results are deterministic.
template <class T, class Better>
class TopK {
 public:
  explicit TopK(size_t k, Better better = Better()) : k_(k), better_(better) {}

  // Whether push(x) would keep x (cheap pre-check before building x).
  bool accepts(const T& x) const { return k_ > 0 && (heap_.size() < k_ || better_(x, heap_.front())); }

  void push(const T& x) {
    if (!accepts(x)) return;
    if (heap_.size() == k_) {
      std::pop_heap(heap_.begin(), heap_.end(), better_);
      heap_.back() = x;
    } else {
      heap_.push_back(x);
    }
    std::push_heap(heap_.begin(), heap_.end(), better_);
  }

  size_t size() const { return heap_.size(); }
  // The item a candidate must beat once k are kept, else null: lets a scan
  // skip, with one comparison of keys, rows that cannot get in.
  const T* worst() const { return k_ > 0 && heap_.size() == k_ ? &heap_.front() : nullptr; }
  // The kept items, best first; leaves the TopK empty.
  std::vector<T> take_sorted() {
    std::sort(heap_.begin(), heap_.end(), better_);
    return std::move(heap_);
  }

 private:
  size_t k_;
  Better better_;
  std::vector<T> heap_;
};

}  // namespace clip
