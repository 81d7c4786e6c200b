#include "tools/pipeline/shard_builder.h"

#include <algorithm>

#include "core/index/index.h"
#include "tools/pipeline/file_io.h"
#include "tools/pipeline/index_folder.h"

namespace clipsearch {

ShardBuilder::ShardBuilder(ClipModel& model, const IndexOptions& options, const std::string& model_fingerprint,
                           Journal& journal, StageTimes& times)
    : model_(model),
      options_(options),
      model_fingerprint_(model_fingerprint),
      journal_(journal),
      times_(times),
      dim_(model.manifest().embedding_dim) {}

clip::Status ShardBuilder::add(size_t item_index, const InputItem& item, PreparedImage p) {
  const uint32_t chunk = uint32_t(item_index / options_.shard_size);
  if (open_ && chunk != chunk_) CLIP_TRY(close_chunk());
  if (!open_) open_chunk(chunk);
  switch (p.outcome) {
    case PreparedImage::Outcome::Failed:
      return clip::make_error(p.skip_reason);
    case PreparedImage::Outcome::Skipped:
      done_.skipped.push_back({item.id, item.source, item.origin, p.skip_reason});
      ++skipped_;
      break;
    case PreparedImage::Outcome::Unchanged:
      ++done_.unchanged;
      break;
    case PreparedImage::Outcome::Ready:
      batch_rows_.push_back(contents_.records.size());
      contents_.records.push_back(std::move(p.record));
      contents_.embeddings.resize(contents_.records.size() * dim_);
      batch_pixels_.insert(batch_pixels_.end(), p.pixels.begin(), p.pixels.end());
      if (batch_rows_.size() == options_.batch) CLIP_TRY(encode_batch());
      break;
  }
  return clip::ok_status();
}

clip::Status ShardBuilder::finish() {
  if (open_) CLIP_TRY(close_chunk());
  return clip::ok_status();
}

void ShardBuilder::open_chunk(uint32_t chunk) {
  chunk_ = chunk;
  contents_ = clip::ShardContents{};
  contents_.model_fingerprint = model_fingerprint_;
  contents_.dim = dim_;
  contents_.with_binary_codes = options_.binary_codes;
  done_ = JournalChunk{};
  open_ = true;
}

clip::Status ShardBuilder::encode_batch() {
  if (batch_rows_.empty()) return clip::ok_status();
  clip::Result<std::vector<float>> embeddings = clip::make_error("");
  {
    StageTimer t(times_, Stage::Encode);
    embeddings = model_.embed_images(batch_pixels_.data(), batch_rows_.size());
  }
  CLIP_TRY(embeddings);
  for (size_t b = 0; b < batch_rows_.size(); ++b)
    std::copy_n(embeddings->data() + b * dim_, dim_, contents_.embeddings.data() + batch_rows_[b] * dim_);
  batch_pixels_.clear();
  batch_rows_.clear();
  return clip::ok_status();
}

clip::Status ShardBuilder::close_chunk() {
  CLIP_TRY(encode_batch());
  StageTimer t(times_, Stage::Write);
  const std::string& out = options_.out;
  done_.chunk = chunk_;
  if (!contents_.records.empty()) {
    auto bytes = clip::encode_shard(contents_);
    if (!bytes.ok()) return clip::make_error(out + ": " + bytes.message());
    done_.shard = clip::describe_shard(shard_file_name(journal_.first_shard + chunk_), *bytes);
    CLIP_TRY(write_file_atomic(join_path(out, done_.shard.file), clip::ByteView(*bytes)));
  }
  // Thumbnails were written without fsync; make them durable before the
  // journal says this chunk is done.
  if (options_.thumbnails) CLIP_TRY(sync_filesystem(out));
  embedded_ += done_.shard.count;
  unchanged_ += done_.unchanged;
  journal_.chunks.push_back(std::move(done_));
  open_ = false;
  return write_journal(out, journal_);
}

}  // namespace clipsearch
