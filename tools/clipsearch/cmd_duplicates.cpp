// clipsearch duplicates: groups of near-duplicate images in an index (every
// image against every other with the batched int8 search, on all cores).
//   clipsearch duplicates --index photos.index
//   clipsearch duplicates --index photos.index --threshold 0.97 --json
#include <atomic>
#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "core/search/duplicates.h"
#include "tools/clipsearch/cli_common.h"
#include "tools/clipsearch/commands.h"
#include "tools/pipeline/index_folder.h"
#include "tools/pipeline/progress.h"

namespace clipsearch {
namespace {

constexpr size_t kRowsPerTask = 1024;  // rows a thread takes at a time

struct Options {
  std::string index;
  float threshold = clip::kDefaultDuplicateThreshold;
  size_t neighbours = clip::kDuplicateNeighbours;
  size_t threads = 0;
  bool json = false;
};

// Every row's near pairs, rows handed out in tasks to `threads` threads.
clip::Result<std::vector<clip::NearPair>> scan(const clip::Searcher& s, const Options& o) {
  const size_t total = s.size();
  const size_t threads = std::max<size_t>(1, std::min(o.threads ? o.threads : std::thread::hardware_concurrency(),
                                                      (total + kRowsPerTask - 1) / kRowsPerTask));
  std::atomic<size_t> next{0};
  std::mutex mutex;
  std::vector<clip::NearPair> pairs;
  std::string error;
  size_t done = 0;
  Progress progress("comparing", total);
  auto work = [&] {
    for (;;) {
      const size_t begin = next.fetch_add(kRowsPerTask);
      if (begin >= total) return;
      const size_t end = std::min(total, begin + kRowsPerTask);
      auto found = clip::near_duplicate_pairs(s, begin, end, o.threshold, o.neighbours);
      std::lock_guard<std::mutex> lock(mutex);
      if (!found.ok()) {
        if (error.empty()) error = found.message();
        next = total;
        return;
      }
      pairs.insert(pairs.end(), found->begin(), found->end());
      done += end - begin;
      progress.update(done, 0);
    }
  };
  std::vector<std::thread> pool;
  for (size_t i = 1; i < threads; ++i) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (!error.empty()) return clip::make_error(error);
  progress.finish(done, 0);
  return pairs;
}

void print_table(const clip::Searcher& s, const std::vector<clip::DuplicateGroup>& groups, float threshold) {
  if (groups.empty()) {
    std::printf("no near-duplicates at cosine >= %.3f\n", double(threshold));
    return;
  }
  for (size_t g = 0; g < groups.size(); ++g) {
    std::printf("group %zu: %zu images\n", g + 1, groups[g].members.size());
    for (const auto& m : groups[g].members) {
      const auto& r = s.shard(m.at.shard).record(m.at.row);
      std::printf("  %s %7.4f  %5ux%-5u  %s\n", m.at == groups[g].keeper ? "keep" : "    ", double(m.score), r.width,
                  r.height, r.id.c_str());
    }
  }
}

int run(const Options& o) {
  if (!(o.threshold >= -1.0f && o.threshold <= 1.0f)) return fail("duplicates", "--threshold must lie in [-1, 1]");
  if (o.neighbours == 0) return fail("duplicates", "--neighbours must be at least 1");
  auto index = load_index(o.index);
  if (!index.ok()) return fail("duplicates", index.message());
  const clip::Searcher& searcher = index->index.searcher();

  std::vector<clip::DuplicateGroup> groups;
  if (searcher.size() > 0) {
    auto pairs = scan(searcher, o);
    if (!pairs.ok()) return fail("duplicates", pairs.message());
    groups = clip::group_duplicates(searcher, *pairs);
  }
  size_t images = 0;
  for (const auto& g : groups) images += g.members.size();
  std::fprintf(stderr, "clipsearch duplicates: %zu groups holding %zu of %zu images at cosine >= %.3f\n",
               groups.size(), images, searcher.size(), double(o.threshold));
  if (!o.json) {
    print_table(searcher, groups, o.threshold);
    return 0;
  }
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& g : groups) {
    nlohmann::ordered_json members = nlohmann::ordered_json::array();
    for (const auto& m : g.members) {
      const auto& r = searcher.shard(m.at.shard).record(m.at.row);
      members.push_back({{"id", r.id}, {"score", m.score}, {"caption", r.caption}, {"source", r.source},
                         {"thumb", r.thumb}, {"width", r.width}, {"height", r.height}});
    }
    out.push_back({{"keeper", searcher.shard(g.keeper.shard).record(g.keeper.row).id}, {"members", members}});
  }
  std::cout << out.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
  return 0;
}

CommandRegistrar reg("duplicates", "Find groups of near-duplicate images in an index", [](CLI::App& sub) {
  auto o = std::make_shared<Options>();
  sub.add_option("--index", o->index, "Index folder")->required();
  sub.add_option("--threshold", o->threshold,
                 "Cosine from which two images are near-duplicates (default chosen on an edit benchmark, "
                 "BENCHMARKS.md)")
      ->capture_default_str();
  sub.add_option("--neighbours", o->neighbours, "Closest images each image is compared with at most")
      ->capture_default_str();
  sub.add_option("--threads", o->threads, "Threads (0 = one per core)")->capture_default_str();
  sub.add_flag("--json", o->json,
               "Print a JSON list of groups {keeper, members: [{id, score, caption, source, thumb, width, height}]}");
  return [o] { return run(*o); };
});

}  // namespace
}  // namespace clipsearch
