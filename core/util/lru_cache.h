// A bounded map that forgets the least recently used entry first.
#pragma once
#include <cstddef>
#include <list>
#include <unordered_map>
#include <utility>

namespace clip {

template <class Key, class Value>
class LruCache {
 public:
  explicit LruCache(size_t capacity) : capacity_(capacity ? capacity : 1) {}
  // The map holds iterators into the list: a copy would point into the
  // original, so copying is refused; moving keeps them valid.
  LruCache(const LruCache&) = delete;
  LruCache& operator=(const LruCache&) = delete;
  LruCache(LruCache&&) = default;
  LruCache& operator=(LruCache&&) = default;

  // The value, marked as just used; nullptr when absent.
  const Value* get(const Key& key) {
    auto it = map_.find(key);
    if (it == map_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second);
    return &it->second->second;
  }
  // The value without touching the order (for const readers).
  const Value* peek(const Key& key) const {
    auto it = map_.find(key);
    return it == map_.end() ? nullptr : &it->second->second;
  }
  void put(const Key& key, Value value) {
    auto it = map_.find(key);
    if (it != map_.end()) {
      it->second->second = std::move(value);
      order_.splice(order_.begin(), order_, it->second);
      return;
    }
    order_.emplace_front(key, std::move(value));
    map_[key] = order_.begin();
    while (map_.size() > capacity_) {
      map_.erase(order_.back().first);
      order_.pop_back();
    }
  }
  size_t size() const { return map_.size(); }
  size_t capacity() const { return capacity_; }
  void set_capacity(size_t capacity) {
    capacity_ = capacity ? capacity : 1;
    while (map_.size() > capacity_) {
      map_.erase(order_.back().first);
      order_.pop_back();
    }
  }

 private:
  size_t capacity_;
  std::list<std::pair<Key, Value>> order_;  // most recent first
  std::unordered_map<Key, typename std::list<std::pair<Key, Value>>::iterator> map_;
};

}  // namespace clip
