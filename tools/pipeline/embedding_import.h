// `clipsearch index --embeddings`: an index built from vectors computed
// elsewhere, without running the encoder on every image. The vectors must
// come from the model the index will name: a few listed images are embedded
// with it and compared before anything is written.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/util/result.h"
#include "tools/ort/clip_model.h"
#include "tools/pipeline/embedding_source.h"
#include "tools/pipeline/index_run.h"
#include "tools/pipeline/prepare_image.h"

namespace clipsearch {

// Cosine (median over the checked images) from which the given vectors are
// taken to be the model's: the same model and preprocessing agree to
// 0.99+ even through float16 storage, another model's vectors of the same
// size land near 0 (unrelated spaces), and text embeddings of the same
// model near 0.3. Measured in tests/tools/cli/test_import.py.
constexpr double kModelCheckMinCosine = 0.9;
constexpr size_t kModelCheckImages = 8;

struct ImportOptions {
  EmbeddingSourceOptions source;
  std::string out;
  uint32_t shard_size = 4096;
  bool binary_codes = true;
  bool thumbnails = true;  // read each listed image for its thumbnail, size and SHA-256
  bool force = false;
  bool check_model = true;
  size_t threads = 0;
  FetchFn fetch;
};

struct ImportSummary {
  size_t rows = 0;
  size_t without_image = 0;  // rows kept without thumbnail, size and hash: their image could not be read
  size_t shards = 0;
  size_t checked = 0;        // images embedded for the model check
  double median_cosine = 0, lowest_cosine = 0;
};

clip::Result<ImportSummary> import_embeddings(ClipModel& model, const ImportOptions& options);

}  // namespace clipsearch
