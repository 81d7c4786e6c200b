#include "tools/pipeline/prepare_image.h"

#include <filesystem>

#include "core/util/sha256.h"
#include "tools/pipeline/file_io.h"
#include "tools/pipeline/image_write.h"
#include "tools/pipeline/index_folder.h"

namespace fs = std::filesystem;

namespace clipsearch {

void CpuGate::enter() {
  std::unique_lock<std::mutex> lock(mutex_);
  cv_.wait(lock, [&] { return free_ > 0; });
  --free_;
}

void CpuGate::leave() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++free_;
  }
  cv_.notify_one();
}

namespace {

struct GateScope {
  CpuGate* gate;
  explicit GateScope(CpuGate* g) : gate(g) {
    if (gate) gate->enter();
  }
  ~GateScope() {
    if (gate) gate->leave();
  }
};

std::string stored_source(const InputItem& item, const PrepareConfig& cfg) {
  if (item.is_url || cfg.sources_relative_to.empty()) return item.source;
  std::error_code ec;
  const fs::path abs = fs::absolute(item.location, ec);
  if (ec) return item.source;
  return abs.lexically_relative(cfg.sources_relative_to).generic_string();
}

PreparedImage skipped(std::string reason) {
  PreparedImage p;
  p.outcome = PreparedImage::Outcome::Skipped;
  p.skip_reason = std::move(reason);
  return p;
}

}  // namespace

PreparedImage prepare_image(const InputItem& item, const PrepareConfig& cfg) {
  StageTimes scratch;
  StageTimes& times = cfg.times ? *cfg.times : scratch;
  PreparedImage out;
  out.record.id = item.id;
  out.record.caption = item.caption;
  out.record.source = stored_source(item, cfg);

  clip::Result<std::vector<uint8_t>> bytes = clip::make_error("");
  {
    StageTimer t(times, Stage::Read);
    if (item.is_url) {
      if (!cfg.fetch) return skipped("URL inputs need the downloader, which this build lacks");
      bytes = cfg.fetch(item.location);
    } else {
      bytes = read_file(item.location, cfg.max_file_bytes);
    }
  }
  if (!bytes.ok()) return skipped(bytes.message());

  GateScope gate(cfg.cpu);
  out.record.content_sha256 = clip::sha256(bytes->data(), bytes->size());
  if (cfg.existing) {
    auto it = cfg.existing->find(item.id);
    if (it != cfg.existing->end() && it->second->content_sha256 == out.record.content_sha256 &&
        it->second->caption == out.record.caption && it->second->source == out.record.source) {
      out.outcome = PreparedImage::Outcome::Unchanged;
      return out;
    }
  }

  clip::Result<clip::RgbImage> image = clip::make_error("");
  {
    StageTimer t(times, Stage::Decode);
    image = clip::decode_image(clip::ByteView(*bytes), cfg.preprocess.limits);
  }
  if (!image.ok()) return skipped(image.message());
  bytes->clear();
  bytes->shrink_to_fit();
  out.record.width = uint32_t(image->width);
  out.record.height = uint32_t(image->height);

  {
    StageTimer t(times, Stage::Preprocess);
    auto crop = clip::resize_and_crop(*image, cfg.preprocess);
    if (!crop.ok()) return skipped(crop.message());
    out.pixels = clip::normalize_to_nchw(*crop, cfg.preprocess);
  }

  if (cfg.thumbnails) {
    StageTimer t(times, Stage::Thumbnail);
    auto thumb = clip::make_thumbnail(*image, kThumbMaxSide);
    if (!thumb.ok()) return skipped("thumbnail: " + thumb.message());
    auto jpeg = encode_jpeg(*thumb);
    if (!jpeg.ok()) return skipped("thumbnail: " + jpeg.message());
    out.record.thumb = thumb_path(item.id, out.record.content_sha256);
    // Not fsync'ed one by one: the run syncs the file system once before it
    // records a shard (and so its thumbnails) as done.
    if (auto s = write_file_replace(join_path(cfg.index_dir, out.record.thumb), clip::ByteView(*jpeg)); !s.ok()) {
      PreparedImage failed = skipped(s.message());
      failed.outcome = PreparedImage::Outcome::Failed;
      return failed;
    }
  }
  out.outcome = PreparedImage::Outcome::Ready;
  return out;
}

}  // namespace clipsearch
