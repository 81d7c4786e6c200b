// Embeddings of fixed texts kept between runs. The match verdict of every
// text search needs the model's embeddings of the 64 calibration captions
// (core/query/match_calibration.h): with a real CLIP text tower on a CPU
// that is seconds of encoder time per search, for the same 64 vectors each
// time. They depend only on what the encoder reads and which file runs it,
// so they are kept in the user's cache folder under a key of exactly that:
// the text encoder file (path, size, modification time), the device and
// precision it runs at, and the token ids of the texts.
//
// Folder: $CLIPSEARCH_CACHE_DIR, else $XDG_CACHE_HOME/clipsearch, else
// $HOME/.cache/clipsearch; files in its text-embeddings/ subfolder. A file
// that fails its checks (size, header, SHA-256) is recomputed and replaced;
// a folder that cannot be written only costs the encoder runs.
#pragma once
#include <string>
#include <vector>

#include "core/util/result.h"
#include "tools/ort/clip_model.h"

namespace clipsearch {

// The cache folder as the environment says, "" when none can be named.
std::string cache_folder();

// model.embed_texts(texts) of the primary text tower, from the cache when
// it holds them.
clip::Result<std::vector<float>> cached_text_embeddings(ClipModel& model, const std::vector<std::string>& texts);

}  // namespace clipsearch
