// Cuts one ONNX model down to what some of its outputs need: the nodes
// reachable backwards from those outputs, and only the graph inputs,
// initializers, value_info and annotations those nodes read. Everything
// else of the file (opsets, IR version, metadata, functions, each kept
// field's bytes) is copied unchanged, so the result computes exactly what the
// original computed for those outputs. fetch-model splits a fused CLIP graph
// (one file taking both input_ids and pixel_values) into its text and vision
// towers with it (docs/MODELS.md).
//
// Works on the protobuf wire format (ModelProto field numbers from onnx.proto)
// without a protobuf library or ONNX Runtime. Refused, with the reason: a
// node with a subgraph attribute (If, Loop, Scan: outer-scope reads would be
// hidden inside), tensors whose data lives in external files, a tensor made
// by two nodes, a node reading a tensor nothing makes, and malformed bytes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/util/bytes.h"
#include "core/util/result.h"

namespace clipsearch::onnx {

// The pruned model as pieces: spans of the original bytes and a few new
// field headers, written one after the other.
struct PrunedModel {
  struct Piece {
    size_t begin = 0, end = 0;  // a span of the original model
    std::string bytes;          // or these (when not empty)
  };
  std::vector<Piece> pieces;
  uint64_t size = 0;                // bytes of the pruned model
  std::vector<std::string> inputs;  // the graph inputs kept, in file order
  size_t nodes_kept = 0, nodes_total = 0;
  size_t initializers_kept = 0, initializers_total = 0;

  // Views for writing, valid while `model` and this object are.
  std::vector<clip::ByteView> views(clip::ByteView model) const;
  std::string to_string(clip::ByteView model) const;
};

// `outputs` must be outputs of the model's graph; the result keeps just
// those, in the graph's order. `name` names the file in errors.
clip::Result<PrunedModel> prune_to_outputs(clip::ByteView model, const std::vector<std::string>& outputs,
                                           const std::string& name);

}  // namespace clipsearch::onnx
