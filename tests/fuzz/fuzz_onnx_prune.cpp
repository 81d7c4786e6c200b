// prune_to_outputs on hostile bytes (the graph pruner fetch-model splits a
// fused CLIP with, tools/onnx/graph_prune.h): malformed protobuf, lengths past
// the end, missing or repeated fields, broken data flow. Seeds are the fixtures
// in tests/data/onnx (a fused CLIP in miniature, one with an If node, one with
// external data). Checks the output contract: the pieces add up to `size`,
// and pruning the result again changes nothing (it already holds only what
// the outputs need).
#include <string>
#include <vector>

#include "tests/fuzz/fuzz_check.h"
#include "tools/onnx/graph_prune.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const clip::ByteView model(data, size);
  static const std::vector<std::vector<std::string>> kRequests = {
      {"text_embeds"}, {"image_embeds"}, {"text_embeds", "image_embeds"}, {"logits_per_image"}};
  for (const auto& outputs : kRequests) {
    auto pruned = clipsearch::onnx::prune_to_outputs(model, outputs, "fuzz.onnx");
    if (!pruned.ok()) {
      FUZZ_CHECK(pruned.message().rfind("fuzz.onnx: ", 0) == 0, "error without the file name: %s",
                 pruned.message().c_str());
      continue;
    }
    const std::string bytes = pruned->to_string(model);
    FUZZ_CHECK(bytes.size() == pruned->size, "pieces hold %zu bytes, size says %llu", bytes.size(),
               (unsigned long long)pruned->size);
    FUZZ_CHECK(pruned->nodes_kept <= pruned->nodes_total && pruned->initializers_kept <= pruned->initializers_total,
               "kept more than there was");
    auto again = clipsearch::onnx::prune_to_outputs(clip::ByteView(bytes), outputs, "fuzz.onnx");
    FUZZ_CHECK(again.ok(), "the pruned model does not prune again: %s", again.message().c_str());
    FUZZ_CHECK(again->to_string(clip::ByteView(bytes)) == bytes, "pruning is not idempotent");
    FUZZ_CHECK(again->inputs == pruned->inputs && again->nodes_kept == again->nodes_total,
               "the pruned model still held unneeded nodes or lost inputs");
  }
  return 0;
}
