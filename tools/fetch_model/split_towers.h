// Some exports publish one fused graph per precision (Xenova's Chinese-CLIP:
// onnx/model.onnx takes input_ids, attention_mask and pixel_values and gives
// text_embeds and image_embeds together). ONNX Runtime runs every node of a
// graph whatever is fetched, so a text query on the fused graph pays a whole
// vision pass (bench/fused_graph_cost.py: 78x). fetch-model therefore splits
// each fused file into a text and a vision graph when it arrives
// (tools/onnx/graph_prune.h), and checks that the towers compute what the
// fused graph computes (compare_with_fused).
#pragma once
#include <functional>
#include <string>

#include "core/model/model_manifest.h"
#include "core/util/result.h"

namespace clipsearch {

// OUT/fused.path -> OUT/text.path and OUT/vision.path (each written
// atomically), keeping what `text_output` / `vision_output` need. Records the
// written files' sha256 and bytes in `text` / `vision`.
clip::Status split_fused_graph(const std::string& out_dir, const clip::ModelFile& fused, const std::string& text_output,
                               const std::string& vision_output, clip::ModelFile* text, clip::ModelFile* vision,
                               const std::function<void(const std::string&)>& log);

// Runs OUT/fused.path and the model's split towers of `precision` (as the
// complete manifest `m` names them) on the same inputs: a fixed Chinese and
// English caption through the primary tower's text contract, and two fixed
// pictures. The largest absolute difference between their embeddings must
// be at most `tolerance`; returns it.
clip::Result<float> compare_with_fused(const std::string& out_dir, const clip::ModelManifest& m,
                                       const clip::ModelFile& fused, const std::string& precision, float tolerance);

}  // namespace clipsearch
