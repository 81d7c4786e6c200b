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
// taken to be the model's. Measured in tests/tools/cli/test_import.py with
// the demo model: its own image vectors, stored as float16 in a
// clip-retrieval folder, give 1.000; its text vectors given as image vectors
// give -0.13 (lowest -0.32), random vectors about 0. Another model's space
// is unrelated to this one's, like the random case (not measured here: no
// second real model can be downloaded on this machine).
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
