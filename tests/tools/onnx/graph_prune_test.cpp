// prune_to_outputs on tests/data/onnx (made by make_prune_fixtures.py): a
// fused CLIP in miniature split into its towers, each run by ONNX Runtime on
// the same inputs as the fused graph and compared; and the refusals.
#include "tools/onnx/graph_prune.h"

#include <gtest/gtest.h>
#include <onnxruntime_cxx_api.h>

#include <array>
#include <fstream>
#include <iterator>
#include <map>

#include "tools/onnx/protobuf_wire.h"
#include "tools/ort/ort_env.h"

namespace clipsearch::onnx {
namespace {

std::string fixture(const std::string& name) {
  std::ifstream f(std::string(CLIPSEARCH_TEST_DATA) + "/onnx/" + name, std::ios::binary);
  EXPECT_TRUE(f.good()) << name;
  return std::string(std::istreambuf_iterator<char>(f), {});
}

struct Outputs {
  std::vector<std::string> inputs, outputs;  // the session's names
  std::map<std::string, std::vector<float>> values;
};

// Runs `model` on fixed inputs (those it takes) and fetches every output.
Outputs run(const std::string& model) {
  Ort::SessionOptions options;
  Ort::Session session(ort_env(), model.data(), model.size(), options);
  Ort::AllocatorWithDefaultOptions alloc;
  Outputs r;
  for (size_t i = 0; i < session.GetInputCount(); ++i) r.inputs.push_back(session.GetInputNameAllocated(i, alloc).get());
  for (size_t i = 0; i < session.GetOutputCount(); ++i)
    r.outputs.push_back(session.GetOutputNameAllocated(i, alloc).get());
  std::array<int64_t, 6> ids{3, 17, 42, 8, 0, 0}, mask{1, 1, 1, 1, 0, 0};
  std::vector<float> pixels(2 * 3 * 4 * 4);
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = float(i % 7) / 7.0f - 0.3f;
  const std::array<int64_t, 2> text_shape{2, 3};
  const std::array<int64_t, 4> pixel_shape{2, 3, 4, 4};
  auto mem = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
  std::vector<Ort::Value> feeds;
  std::vector<const char*> in_names, out_names;
  for (const std::string& n : r.inputs) {
    in_names.push_back(n.c_str());
    if (n == "pixel_values")
      feeds.push_back(Ort::Value::CreateTensor<float>(mem, pixels.data(), pixels.size(), pixel_shape.data(), 4));
    else
      feeds.push_back(Ort::Value::CreateTensor<int64_t>(mem, n == "input_ids" ? ids.data() : mask.data(), 6,
                                                        text_shape.data(), 2));
  }
  for (const std::string& n : r.outputs) out_names.push_back(n.c_str());
  auto outs = session.Run(Ort::RunOptions{nullptr}, in_names.data(), feeds.data(), feeds.size(), out_names.data(),
                          out_names.size());
  for (size_t i = 0; i < outs.size(); ++i) {
    const float* p = outs[i].GetTensorData<float>();
    r.values[r.outputs[i]].assign(p, p + outs[i].GetTensorTypeAndShapeInfo().GetElementCount());
  }
  return r;
}

// Names of the graph fields of one kind (11 inputs, 5 initializers ...) in a pruned model.
std::vector<std::string> graph_names(const std::string& model, uint32_t kind) {
  const clip::ByteView buf(model);
  std::vector<std::string> names;
  auto top = read_fields(buf, 0, buf.size, "model");
  EXPECT_TRUE(top.ok());
  for (const WireField& f : *top) {
    if (f.number != 7) continue;
    auto graph = read_fields(buf, f.value_begin, f.end, "graph");
    EXPECT_TRUE(graph.ok());
    for (const WireField& g : *graph) {
      if (g.number != kind) continue;
      auto entry = read_fields(buf, g.value_begin, g.end, "entry");
      EXPECT_TRUE(entry.ok());
      const uint32_t name_field = kind == 5 ? 8 : kind == 1 ? 3 : 1;
      for (const WireField& e : *entry)
        if (e.number == name_field) names.emplace_back(field_text(buf, e));
    }
  }
  return names;
}

TEST(PruneToOutputs, SplitsAFusedClipIntoTowersThatComputeWhatItComputed) {
  const std::string fused = fixture("fused.onnx");
  const Outputs whole = run(fused);
  ASSERT_EQ(whole.inputs, (std::vector<std::string>{"input_ids", "attention_mask", "pixel_values"}));

  auto text = prune_to_outputs(clip::ByteView(fused), {"text_embeds"}, "fused.onnx");
  ASSERT_TRUE(text.ok()) << text.message();
  EXPECT_EQ(text->inputs, (std::vector<std::string>{"input_ids", "attention_mask"}));
  const std::string text_model = text->to_string(clip::ByteView(fused));
  EXPECT_EQ(text_model.size(), text->size);
  const Outputs t = run(text_model);
  EXPECT_EQ(t.inputs, text->inputs);
  EXPECT_EQ(t.outputs, std::vector<std::string>{"text_embeds"});
  EXPECT_EQ(t.values.at("text_embeds"), whole.values.at("text_embeds"));  // bit for bit

  auto vision = prune_to_outputs(clip::ByteView(fused), {"image_embeds"}, "fused.onnx");
  ASSERT_TRUE(vision.ok()) << vision.message();
  EXPECT_EQ(vision->inputs, std::vector<std::string>{"pixel_values"});
  const Outputs v = run(vision->to_string(clip::ByteView(fused)));
  EXPECT_EQ(v.outputs, std::vector<std::string>{"image_embeds"});
  EXPECT_EQ(v.values.at("image_embeds"), whole.values.at("image_embeds"));

  // Only what each tower reads stays: the shared "scale" and Constant in both,
  // the other tower's weights, the dead node and the unused weight in neither.
  EXPECT_EQ(graph_names(text_model, 5),
            (std::vector<std::string>{"token_embedding", "text_projection", "scale", "axis2", "axis1"}));
  EXPECT_EQ(graph_names(vision->to_string(clip::ByteView(fused)), 5),
            (std::vector<std::string>{"visual_projection", "scale"}));
  EXPECT_EQ(graph_names(text_model, 13), std::vector<std::string>{"pooled"});  // value_info
  EXPECT_EQ(text->nodes_total, 19u);
  EXPECT_EQ(text->nodes_kept, 10u);
  EXPECT_EQ(vision->nodes_kept, 6u);
  EXPECT_EQ(text->initializers_total, 7u);
}

TEST(PruneToOutputs, KeepsEverythingElseOfTheFile) {
  const std::string fused = fixture("fused.onnx");
  auto both = prune_to_outputs(clip::ByteView(fused), {"image_embeds", "text_embeds"}, "fused.onnx");
  ASSERT_TRUE(both.ok()) << both.message();
  const std::string model = both->to_string(clip::ByteView(fused));
  // Opset, producer and metadata are copied: the bytes are there unchanged.
  EXPECT_NE(model.find("make_prune_fixtures"), std::string::npos);
  EXPECT_NE(model.find("a fused CLIP in miniature"), std::string::npos);
  const Outputs r = run(model);
  EXPECT_EQ(r.outputs, (std::vector<std::string>{"text_embeds", "image_embeds"}));  // the graph's order
  // Asking for every output keeps the whole graph but the dead end.
  auto all = prune_to_outputs(clip::ByteView(fused), {"logits_per_image", "logits_per_text", "text_embeds", "image_embeds"},
                              "fused.onnx");
  ASSERT_TRUE(all.ok()) << all.message();
  EXPECT_EQ(all->nodes_kept, all->nodes_total - 1);
  EXPECT_EQ(all->initializers_kept, all->initializers_total - 1);
}

TEST(PruneToOutputs, RefusesWhatItCannotSplitSafely) {
  const std::string with_if = fixture("subgraph.onnx");
  auto r = prune_to_outputs(clip::ByteView(with_if), {"text_embeds"}, "subgraph.onnx");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message(), "subgraph.onnx: node 9 'branch' (If) attribute 'else_branch' holds a subgraph: graphs with "
                         "control flow (If, Loop, Scan) cannot be split");

  const std::string external = fixture("external.onnx");
  r = prune_to_outputs(clip::ByteView(external), {"image_embeds"}, "external.onnx");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message(), "external.onnx: initializer 1 'text_projection' keeps its data in an external file; only "
                         "single-file ONNX models can be split");

  const std::string fused = fixture("fused.onnx");
  r = prune_to_outputs(clip::ByteView(fused), {"pooler_output"}, "fused.onnx");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message(), "fused.onnx: the graph has no output 'pooler_output' (it has logits_per_image, "
                         "logits_per_text, text_embeds, image_embeds)");

  r = prune_to_outputs(clip::ByteView(fused.substr(0, fused.size() - 9)), {"text_embeds"}, "cut.onnx");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.message().find("cut.onnx: model: malformed protobuf at byte"), std::string::npos) << r.message();

  r = prune_to_outputs(clip::ByteView(std::string("not an onnx file at all")), {"text_embeds"}, "text.onnx");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message().rfind("text.onnx: ", 0), 0u) << r.message();
}

// A node reading a tensor nothing makes, and two nodes making one tensor:
// damaged graphs are named, not passed on.
TEST(PruneToOutputs, RefusesBrokenDataFlow) {
  const std::string fused = fixture("fused.onnx");
  std::string renamed = fused;
  const size_t at = renamed.find("text_projection");  // the first use: MatMul's input
  ASSERT_NE(at, std::string::npos);
  // Both spellings have the same length, so the protobuf stays well formed.
  std::string dangling = renamed;
  dangling.replace(dangling.find("text_projection", at), 15, "text_projectio_");
  auto r = prune_to_outputs(clip::ByteView(dangling), {"text_embeds"}, "dangling.onnx");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.message().find("reads 'text_projectio_', which no node, input or initializer makes"), std::string::npos)
      << r.message();

  std::string twice = fused;
  twice.replace(twice.find("image_raw"), 9, "text_half");  // vision's MatMul now also makes "text_half"
  r = prune_to_outputs(clip::ByteView(twice), {"text_embeds"}, "twice.onnx");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.message().find("tensor 'text_half' is made by two nodes"), std::string::npos) << r.message();
}

}  // namespace
}  // namespace clipsearch::onnx
