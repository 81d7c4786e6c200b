// What model.json must say about a downloaded ONNX graph: its input names
// and which output is the embedding, read from the graph itself (never
// assumed: exports differ, e.g. some text graphs also take attention_mask).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/util/result.h"

namespace clipsearch {

struct GraphIo {
  std::vector<std::string> inputs;
  std::vector<std::vector<int64_t>> input_shapes;   // -1 where dynamic
  std::vector<std::string> outputs;
  std::vector<std::vector<int64_t>> output_shapes;  // -1 where dynamic
};

clip::Result<GraphIo> read_graph_io(const std::string& onnx_path);

// The embedding output: `preferred` ("text_embeds" / "image_embeds") when the
// graph has it, else the graph's only output. Errors list the outputs.
clip::Result<std::string> embedding_output(const GraphIo& io, const std::string& preferred, const std::string& path);

// The embedding width when the graph states it ([batch, dim] with dim > 0), else 0.
uint32_t static_embedding_dim(const GraphIo& io, const std::string& output);

// A vision graph whose pixel input fixes its height and width must take the
// image size model.json gives; a mismatch would only show at the first run.
clip::Status check_image_side(const GraphIo& io, int side, const std::string& path);

}  // namespace clipsearch
