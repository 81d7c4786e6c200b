// The CPU half of indexing one input: read (or download) the bytes, hash
// them, decode, make the model input and the thumbnail. Runs on worker
// threads; the result waits in the pipeline for the encoder.
#pragma once
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/image/preprocess.h"
#include "core/index/shard.h"
#include "core/util/result.h"
#include "tools/pipeline/input_list.h"
#include "tools/pipeline/stage_times.h"

namespace clipsearch {

// Downloads a URL's bytes; an error becomes the item's skip reason.
using FetchFn = std::function<clip::Result<std::vector<uint8_t>>(const std::string& url)>;

// Limits how many threads do CPU work at once, so that many download
// threads waiting on the network do not oversubscribe the cores.
class CpuGate {
 public:
  explicit CpuGate(int slots) : free_(slots < 1 ? 1 : slots) {}
  void enter();
  void leave();

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  int free_;
};

struct PrepareConfig {
  clip::PreprocessConfig preprocess;
  std::string index_dir;          // thumbnails go to index_dir/thumbs/
  bool thumbnails = true;
  uint64_t max_file_bytes = uint64_t(256) << 20;
  FetchFn fetch;                  // required when an item is a URL
  std::string sources_relative_to;  // --relative-sources: absolute index folder, else ""
  // --append: records already in the index, by id. An item with the same id,
  // bytes, caption and source is left as it is (not embedded again).
  const std::unordered_map<std::string, const clip::ImageRecord*>* existing = nullptr;
  CpuGate* cpu = nullptr;
  StageTimes* times = nullptr;
};

struct PreparedImage {
  // Failed: the run cannot go on (e.g. the index folder is not writable).
  enum class Outcome { Ready, Skipped, Unchanged, Failed } outcome = Outcome::Skipped;
  std::string skip_reason;  // or the failure
  clip::ImageRecord record;
  std::vector<float> pixels;  // [3, size, size], empty unless Ready
};

PreparedImage prepare_image(const InputItem& item, const PrepareConfig& cfg);

}  // namespace clipsearch
