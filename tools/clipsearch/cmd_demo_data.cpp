// clipsearch demo-data: writes the synthetic captioned shapes the demo model
// is trained on (core/demo) as DIR/images/NNNNNN.png + DIR/captions.jsonl.
//   clipsearch demo-data --out shapes --count 1000 --seed 1
#include <algorithm>
#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/demo/shapes.h"
#include "tools/clipsearch/cli_common.h"
#include "tools/clipsearch/commands.h"
#include "tools/pipeline/file_io.h"
#include "tools/pipeline/image_write.h"
#include "tools/pipeline/progress.h"

namespace clipsearch {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Options {
  std::string out;
  uint64_t count = 0;
  uint64_t seed = 0;
  uint32_t extra_captions = 0;
  unsigned threads = 0;
};

// Only the attributes present: a caption's claims leave some out.
json words_json(const std::vector<clip::DemoObject>& objects) {
  json list = json::array();
  for (const auto& o : objects) {
    json j = json::object();
    if (!o.shape.empty()) j["shape"] = o.shape;
    if (!o.color.empty()) j["color"] = o.color;
    if (!o.size.empty()) j["size"] = o.size;
    if (!o.position.empty()) j["position"] = o.position;
    list.push_back(std::move(j));
  }
  return list;
}

// Renders and saves image `index`; returns its captions.jsonl line.
clip::Result<std::string> write_sample(const Options& opt, uint64_t index) {
  clip::DemoSample s = clip::render_demo_sample(opt.seed, index);
  char name[32];
  std::snprintf(name, sizeof name, "images/%06" PRIu64 ".png", index);
  auto png = encode_png(s.image);
  CLIP_TRY(png);
  // No fsync per image: one sync of the file system before captions.jsonl.
  CLIP_TRY(write_file_replace((fs::path(opt.out) / name).string(), clip::ByteView(*png)));

  // Where each object is, parallel to `objects`: [left, top, right, bottom]
  // = centre -+ radius, in pixels (training uses it for per-patch targets).
  json boxes = json::array();
  for (const auto& o : s.objects)
    boxes.push_back({o.cx - o.radius, o.cy - o.radius, o.cx + o.radius, o.cy + o.radius});
  json j = {{"path", name},
            {"caption", s.caption},
            {"objects", words_json(s.objects)},
            {"describes", words_json(s.describes)},
            {"caption_zh", s.caption_zh},
            {"describes_zh", words_json(s.describes_zh)},
            {"boxes", std::move(boxes)}};
  if (opt.extra_captions > 0) {
    json extra = json::array();
    for (uint32_t v = 1; v <= opt.extra_captions; ++v) {
      clip::DemoCaption c = clip::demo_caption(opt.seed, index, s.objects, v);
      extra.push_back({{"caption", c.text}, {"describes", words_json(c.describes)}});
    }
    j["extra_captions"] = std::move(extra);
    json extra_zh = json::array();
    for (uint32_t v = 1; v <= opt.extra_captions; ++v) {
      clip::DemoCaption c = clip::demo_caption_zh(opt.seed, index, s.objects, v);
      extra_zh.push_back({{"caption", c.text}, {"describes", words_json(c.describes)}});
    }
    j["extra_captions_zh"] = std::move(extra_zh);
  }
  return j.dump() + "\n";
}

// Every "a {colour} {shape}" of the vocabulary: a label list for zero-shot
// labelling (`clipsearch labels --labels`, the page's "What is this?").
std::string colour_shape_labels() {
  std::string out = "# Every colour and shape of the demo data, one label per line (clipsearch labels --labels)\n";
  for (const auto& colour : clip::demo_colors())
    for (const auto& shape : clip::demo_shapes()) {
      const bool vowel = std::string_view("aeiou").find(colour[0]) != std::string_view::npos;
      out += (vowel ? "an " : "a ") + colour + " " + shape + "\n";
    }
  return out;
}

int run(const Options& opt) {
  std::error_code ec;
  fs::create_directories(fs::path(opt.out) / "images", ec);
  if (ec) return fail("demo-data", "cannot create " + opt.out + "/images: " + ec.message());

  std::vector<std::string> lines(opt.count);
  std::atomic<uint64_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mutex;  // guards done, progress and first_error
  uint64_t done = 0;
  std::string first_error;
  Progress progress("demo-data", opt.count);

  auto worker = [&] {
    for (uint64_t i; !failed && (i = next++) < opt.count;) {
      auto line = write_sample(opt, i);
      std::lock_guard<std::mutex> lock(mutex);
      if (!line.ok()) {
        if (!failed.exchange(true)) first_error = line.message();
        return;
      }
      lines[i] = std::move(*line);
      progress.update(++done, 0);
    }
  };
  unsigned threads = opt.threads ? opt.threads : std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads && t < opt.count; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (failed) return fail("demo-data", first_error);
  progress.finish(done, 0);

  if (auto s = sync_filesystem(opt.out); !s.ok()) return fail("demo-data", s.message());
  std::string jsonl;
  for (const auto& l : lines) jsonl += l;
  if (auto s = write_file_atomic((fs::path(opt.out) / "captions.jsonl").string(), jsonl); !s.ok())
    return fail("demo-data", s.message());
  if (auto s = write_file_atomic((fs::path(opt.out) / "labels.txt").string(), colour_shape_labels()); !s.ok())
    return fail("demo-data", s.message());
  std::fprintf(stderr, "clipsearch demo-data: wrote %" PRIu64 " images, captions.jsonl and labels.txt to %s\n",
               opt.count, opt.out.c_str());
  return 0;
}

CommandRegistrar reg(
    "demo-data", "Write the synthetic captioned shapes the demo model is trained on", [](CLI::App& sub) {
      auto opt = std::make_shared<Options>();
      sub.add_option("--out", opt->out, "Output folder (gets images/, captions.jsonl and labels.txt)")->required();
      sub.add_option("--count", opt->count, "Number of images")->required();
      sub.add_option("--seed", opt->seed, "Dataset seed; image i of a seed is the same whatever --count")
          ->capture_default_str();
      sub.add_option("--extra-captions", opt->extra_captions,
                     "Also write this many other captions per image (extra_captions), for training")
          ->capture_default_str();
      sub.add_option("--threads", opt->threads, "Worker threads (0: one per core)")->capture_default_str();
      return [opt] { return run(*opt); };
    });

}  // namespace
}  // namespace clipsearch
