// fetch_many: a window of `concurrency` transfers on one libcurl multi
// handle, refilled as transfers end, all on the calling thread.
#include <memory>

#include "tools/net/transfer.h"

namespace clipsearch::net {
namespace {

struct Slot {
  size_t index = 0;
  std::vector<uint8_t> body;
  std::unique_ptr<Transfer> transfer;
};

struct MultiHandle {
  CURLM* m = curl_multi_init();
  ~MultiHandle() { curl_multi_cleanup(m); }
};

}  // namespace

void fetch_many(const std::vector<std::string>& urls, int concurrency, const HttpLimits& limits,
                const FetchDone& on_done) {
  ensure_curl_initialized();
  MultiHandle multi;
  if (!multi.m) {
    for (size_t i = 0; i < urls.size(); ++i)
      if (!on_done(i, clip::make_error(urls[i] + ": could not start libcurl"))) return;
    return;
  }
  const size_t window = size_t(std::max(1, concurrency));
  std::vector<std::unique_ptr<Slot>> active;  // removed from the multi handle before they die
  size_t next = 0;

  auto detach_all = [&] {
    for (auto& s : active) curl_multi_remove_handle(multi.m, s->transfer->curl);
    active.clear();
  };

  for (;;) {
    while (active.size() < window && next < urls.size()) {
      auto slot = std::make_unique<Slot>();
      slot->index = next;
      slot->transfer = std::make_unique<Transfer>(urls[next]);
      slot->transfer->memory = &slot->body;
      ++next;
      auto setup = setup_transfer(*slot->transfer, limits);
      if (!setup.ok()) {
        if (!on_done(slot->index, setup.error())) return detach_all();
        continue;
      }
      curl_easy_setopt(slot->transfer->curl, CURLOPT_PRIVATE, slot.get());
      curl_multi_add_handle(multi.m, slot->transfer->curl);
      active.push_back(std::move(slot));
    }
    if (active.empty()) return;

    int running = 0;
    curl_multi_perform(multi.m, &running);
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi.m, &queued)) {
      if (msg->msg != CURLMSG_DONE) continue;
      Slot* done = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &done);
      CURLcode code = msg->data.result;
      curl_multi_remove_handle(multi.m, msg->easy_handle);
      std::unique_ptr<Slot> owned;
      for (auto it = active.begin(); it != active.end(); ++it) {
        if (it->get() == done) {
          owned = std::move(*it);
          active.erase(it);
          break;
        }
      }
      if (!owned) continue;
      std::string err = transfer_error(*owned->transfer, code);
      bool go_on = err.empty() ? on_done(owned->index, std::move(owned->body))
                               : on_done(owned->index, clip::make_error(err));
      if (!go_on) return detach_all();
    }
    if (running > 0) curl_multi_poll(multi.m, nullptr, 0, 1000, nullptr);
  }
}

}  // namespace clipsearch::net
