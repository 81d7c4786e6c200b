// What a downloaded ONNX graph declares (input and output names, types,
// shapes), read without optimising it. fetch-model checks every file against
// model.json with ModelSpec, and, for an export whose names no one wrote
// down (a --url transformers.js folder), reads them from here.
#pragma once
#include <string>

#include "core/model/model_spec.h"
#include "core/util/result.h"

namespace clipsearch {

clip::Result<clip::GraphSignature> read_graph_file_signature(const std::string& onnx_path);

// For a graph whose names are not known ahead: its input names in order, and
// the embedding output: `preferred` ("text_embeds" / "image_embeds") when the
// graph has it, else its only output. An ambiguous graph is an error listing
// the outputs; what this picks is written into model.json and checked from
// then on like any other name.
clip::Status discover_encoder_names(const clip::GraphSignature& graph, const std::string& preferred,
                                    const std::string& path, clip::EncoderSpec* encoder);

// The embedding width when the graph states it ([batch, dim] with dim > 0), else 0.
uint32_t static_embedding_dim(const clip::GraphSignature& graph, const std::string& output);

}  // namespace clipsearch
