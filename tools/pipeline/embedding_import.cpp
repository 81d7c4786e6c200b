#include "tools/pipeline/embedding_import.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "core/index/index.h"
#include "core/search/kernels.h"
#include "core/util/npy.h"
#include "core/util/sha256.h"
#include "tools/pipeline/file_io.h"
#include "tools/pipeline/folder_lock.h"
#include "tools/pipeline/index_finalize.h"
#include "tools/pipeline/journal.h"
#include "tools/pipeline/ordered_pool.h"
#include "tools/pipeline/progress.h"

namespace fs = std::filesystem;

namespace clipsearch {
namespace {

struct LoadedPart {
  const EmbeddingPart* part;
  std::vector<uint8_t> bytes;
  clip::NpyMatrix matrix;
  void row(uint64_t r, float* out) const { clip::npy_row(clip::ByteView(bytes), matrix, r, out); }
};

// A row of the import: its part and its place there.
struct RowRef {
  const LoadedPart* part;
  size_t index;
  const InputItem& item() const { return part->part->items[index]; }
};

std::vector<RowRef> all_rows(const std::vector<LoadedPart>& parts) {
  std::vector<RowRef> rows;
  for (const auto& p : parts)
    for (size_t i = 0; i < p.part->items.size(); ++i) rows.push_back({&p, i});
  return rows;
}

clip::Result<LoadedPart> load_part(const EmbeddingPart& p, uint32_t dim, const clip::ModelManifest& model) {
  auto bytes = read_file(p.npy, uint64_t(1) << 40);
  CLIP_TRY(bytes);
  auto m = clip::parse_npy(clip::ByteView(*bytes), p.npy);
  CLIP_TRY(m);
  if (m->cols != dim)
    return clip::make_error(p.npy + ": vectors of " + std::to_string(m->cols) + " values, but model '" + model.name +
                            "' makes " + std::to_string(dim) + "; pass --model with the model they came from");
  if (m->rows != p.items.size())
    return clip::make_error(p.npy + " has " + std::to_string(m->rows) + " rows but " + p.metadata + " describes " +
                            std::to_string(p.items.size()) + "; row i of one must be row i of the other");
  return LoadedPart{&p, std::move(*bytes), *m};
}

// Embeds up to kModelCheckImages listed images (spread over the list) with
// the model and compares each with its given vector.
clip::Status check_model(ClipModel& model, const std::vector<LoadedPart>& parts, const ImportOptions& o,
                         ImportSummary& summary) {
  const std::vector<RowRef> all = all_rows(parts);
  PrepareConfig pc;
  pc.preprocess = model.image_config();
  pc.thumbnails = false;
  pc.fetch = o.fetch;
  const uint32_t dim = model.manifest().embedding_dim;
  std::vector<double> cosines;
  std::string first_failure;
  // Evenly spaced rows first, then the rest, until enough images could be read.
  const size_t stride = std::max<size_t>(1, all.size() / kModelCheckImages);
  std::vector<size_t> order;
  for (size_t k = 0; k < stride; ++k)
    for (size_t i = k; i < all.size(); i += stride) order.push_back(i);
  size_t tried = 0;
  for (size_t i : order) {
    if (cosines.size() == kModelCheckImages || tried == 4 * kModelCheckImages) break;
    ++tried;
    const RowRef& r = all[i];
    const InputItem& item = r.item();
    PreparedImage p = prepare_image(item, pc);
    if (p.outcome != PreparedImage::Outcome::Ready) {
      if (first_failure.empty()) first_failure = item.source + ": " + p.skip_reason;
      continue;
    }
    auto mine = model.embed_images(p.pixels.data(), 1);
    CLIP_TRY(mine);
    std::vector<float> given(dim);
    r.part->row(r.index, given.data());
    cosines.push_back(clip::cosine(mine->data(), given.data(), dim));
  }
  if (cosines.empty())
    return clip::make_error("cannot check that the embeddings come from model '" + model.manifest().name + "': none of " +
                            std::to_string(tried) + " listed images could be read (" + first_failure +
                            "); make the images reachable (--images-root) or pass --skip-model-check");
  std::sort(cosines.begin(), cosines.end());
  summary.checked = cosines.size();
  summary.lowest_cosine = cosines.front();
  summary.median_cosine = cosines[cosines.size() / 2];
  char figure[160];
  std::snprintf(figure, sizeof figure, "median cosine %.3f (lowest %.3f) over %zu images, need >= %.2f",
                summary.median_cosine, summary.lowest_cosine, cosines.size(), kModelCheckMinCosine);
  if (summary.median_cosine < kModelCheckMinCosine)
    return clip::make_error("the embeddings do not come from model '" + model.manifest().name +
                            "': its own embeddings of the listed images disagree with them (" + figure +
                            "); pass --model with the model they came from");
  std::fprintf(stderr, "clipsearch index: the embeddings match model '%s' (%s)\n", model.manifest().name.c_str(),
               figure);
  return clip::ok_status();
}

// The output folder, locked for this run, when it may be written.
clip::Result<FolderLock> claim_out_folder(const ImportOptions& o) {
  std::error_code ec;
  fs::create_directories(o.out, ec);
  if (ec) return clip::make_error(o.out + ": cannot create the index folder: " + ec.message());
  auto lock = FolderLock::acquire(o.out);
  CLIP_TRY(lock);
  if (o.force) return lock;
  if (fs::exists(join_path(o.out, kManifestFile)))
    return clip::make_error(o.out + " already holds an index; pass --force to replace it");
  if (fs::exists(join_path(o.out, kJournalFile)))
    return clip::make_error(o.out + " holds an unfinished run; pass --force to discard it");
  if (!empty_but_for_temp_files(o.out))
    return clip::make_error(o.out + " is not empty and holds no index; choose a new folder");
  return lock;
}

std::string run_fingerprint(const clip::ModelManifest& model, const std::vector<LoadedPart>& parts) {
  clip::Sha256 h;
  auto field = [&](const std::string& s) {
    const uint64_t n = s.size();
    h.update(&n, sizeof n);
    h.update(s.data(), s.size());
  };
  field("clipsearch-import-embeddings-1");
  field(model.fingerprint);
  for (const auto& p : parts) {
    field(p.part->npy);
    field(clip::to_hex(clip::sha256(p.bytes.data(), p.bytes.size())));
  }
  return clip::to_hex(h.finish());
}

}  // namespace

clip::Result<ImportSummary> import_embeddings(ClipModel& model, const ImportOptions& o) {
  if (o.shard_size == 0 || o.shard_size > clip::kShardMaxCount)
    return clip::make_error("--shard-size must be between 1 and " + std::to_string(clip::kShardMaxCount));
  const clip::ModelManifest& mm = model.manifest();
  const uint32_t dim = mm.embedding_dim;
  auto source = read_embedding_source(o.source);
  CLIP_TRY(source);
  std::vector<LoadedPart> parts;
  ImportSummary summary;
  for (const auto& p : *source) {
    auto loaded = load_part(p, dim, mm);
    CLIP_TRY(loaded);
    summary.rows += p.items.size();
    parts.push_back(std::move(*loaded));
  }
  if (summary.rows == 0) return clip::make_error(o.source.metadata + ": no rows to import");
  if (o.check_model) {
    CLIP_TRY(check_model(model, parts, o, summary));
  }
  auto lock = claim_out_folder(o);
  CLIP_TRY(lock);

  Journal journal;
  journal.fingerprint = run_fingerprint(mm, parts);
  CLIP_TRY(write_journal(o.out, journal));
  if (o.thumbnails) {
    std::error_code ec;
    fs::create_directories(join_path(o.out, kThumbsDir), ec);
    if (ec) return clip::make_error(join_path(o.out, kThumbsDir) + ": cannot create: " + ec.message());
  }

  // Rows in order over the parts; each row's record from its image where that can be read.
  const std::vector<RowRef> rows = all_rows(parts);
  PrepareConfig pc;
  pc.preprocess = model.image_config();
  pc.index_dir = o.out;
  pc.thumbnails = o.thumbnails;
  pc.fetch = o.fetch;
  const size_t threads = o.threads ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  Progress progress("importing", rows.size());
  clip::ShardContents chunk;
  uint32_t chunk_number = 0;
  auto close_chunk = [&]() -> clip::Status {
    if (chunk.records.empty()) return clip::ok_status();
    auto bytes = clip::encode_shard(chunk);
    if (!bytes.ok()) return clip::make_error(o.out + ": " + bytes.message());
    JournalChunk done;
    done.chunk = chunk_number;
    done.shard = clip::describe_shard(shard_file_name(chunk_number), *bytes);
    CLIP_TRY(write_file_atomic(join_path(o.out, done.shard.file), clip::ByteView(*bytes)));
    if (o.thumbnails)
      CLIP_TRY(sync_filesystem(o.out));
    journal.chunks.push_back(std::move(done));
    ++chunk_number;
    chunk.records.clear();
    chunk.embeddings.clear();
    return write_journal(o.out, journal);
  };
  chunk.model_fingerprint = mm.fingerprint;
  chunk.dim = dim;
  chunk.with_binary_codes = o.binary_codes;
  {
    // Without thumbnails no image is read: the record is what the metadata says.
    OrderedPool<PreparedImage> pool(o.thumbnails ? rows.size() : 0, threads, 4 * threads, [&](size_t k) {
      return prepare_image(rows[k].item(), pc);
    });
    std::vector<float> vec(dim);
    for (size_t k = 0; k < rows.size(); ++k) {
      const InputItem& item = rows[k].item();
      clip::ImageRecord rec;
      PreparedImage p;
      if (o.thumbnails && pool.next(&p) && p.outcome == PreparedImage::Outcome::Ready) {
        rec = std::move(p.record);
      } else {
        if (o.thumbnails && p.outcome == PreparedImage::Outcome::Failed) return clip::make_error(p.skip_reason);
        if (o.thumbnails) ++summary.without_image;
        rec.id = item.id;
        rec.caption = item.caption;
        rec.source = item.source;
      }
      rows[k].part->row(rows[k].index, vec.data());
      chunk.records.push_back(std::move(rec));
      chunk.embeddings.insert(chunk.embeddings.end(), vec.begin(), vec.end());
      if (chunk.records.size() == o.shard_size)
        CLIP_TRY(close_chunk());
      progress.update(k + 1, 0);
    }
    CLIP_TRY(close_chunk());
  }
  progress.finish(rows.size(), 0);

  FinalizeInput fin;
  fin.out = o.out;
  fin.model = &mm;
  fin.model_fingerprint = mm.fingerprint;
  fin.model_location = model_location_for(model.dir(), o.out);
  fin.dim = dim;
  auto manifest = finalize_index(fin, journal);
  CLIP_TRY(manifest);
  summary.shards = manifest->shards.size();
  return summary;
}

}  // namespace clipsearch
