// Where `clipsearch index --embeddings` gets its rows: vectors computed
// elsewhere (.npy) paired one to one, in order, with metadata rows from a
// JSONL/CSV/TSV file or from clip-retrieval's output folder
// (img_emb/img_emb_N.npy + metadata/metadata_N.parquet).
#pragma once
#include <string>
#include <vector>

#include "core/util/result.h"
#include "tools/pipeline/input_list.h"

namespace clipsearch {

// One .npy and the metadata rows of its vectors, row i with vector i.
struct EmbeddingPart {
  std::string npy;
  std::string metadata;  // the file the rows came from, for messages
  std::vector<InputItem> items;
};

struct EmbeddingSourceOptions {
  std::string embeddings;  // a .npy, or a folder of img_emb_*.npy; "" = <metadata folder>/img_emb
  std::string metadata;    // .jsonl/.ndjson/.csv/.tsv/.txt, or a clip-retrieval folder (or its metadata/)
  std::string images_root; // resolves relative image paths of clip-retrieval metadata ("" = current folder)
  // How Parquet is decoded: `node` running tools/parquet/parquet_rows.mjs (hyparquet).
  std::string node = "node";
  std::string parquet_script;
};

clip::Result<std::vector<EmbeddingPart>> read_embedding_source(const EmbeddingSourceOptions& o);

// clip-retrieval's metadata rows (the JSON objects parquet_rows.mjs prints)
// as items: `image_path` (the file clip-retrieval read, or a webdataset key),
// `url` where its metadata had one, `caption` where text was embedded too.
// The source is image_path when that file exists, else url, else image_path;
// the id is image_path (else url).
clip::Result<std::vector<InputItem>> clip_retrieval_items(const std::string& jsonl, const std::string& file,
                                                          const std::string& images_root);

}  // namespace clipsearch
