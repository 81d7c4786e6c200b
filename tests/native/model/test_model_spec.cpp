// ModelSpec: the decisions the CLI and the page both take from model.json.
#include "core/model/model_spec.h"

#include <gtest/gtest.h>

#include "core/index/index.h"
#include "core/model/tokenizer_factory.h"
#include "model_test_util.h"

using clip::GraphPort;
using clip::GraphSignature;
using clip::ModelSpec;
using clip::TensorType;
using nlohmann::json;

namespace {

// A second text tower: fixed 52 ids padded with 0, pooled at [CLS].
json zh_tower() {
  return {{"language", "zh"},
          {"variants", {{"fp32", {{"path", "zh/text_model.onnx"}}}, {"int8", {{"path", "zh/text_model_quantized.onnx"}}}}},
          {"inputs", {"input_ids", "attention_mask"}},
          {"output", "text_embeds"},
          {"tokenizer", {{"kind", "bpe_simple_vocab"}, {"files", {"zh/vocab.txt"}}, {"context_length", 52}}},
          {"input", {{"length", "fixed"}, {"pad_id", 0}, {"pooling", "first"}}},
          {"trained_token_ids", {7, 3, 3, 5}}};
}

json two_tower_json() {
  json j = vitb32_complete_json();
  j["text_towers"] = json::array({zh_tower()});
  return j;
}

ModelSpec spec_of(const json& j) {
  auto s = ModelSpec::parse(j.dump());
  EXPECT_TRUE(s.ok()) << s.message();
  return std::move(s).value();
}

std::string parse_error(const json& j) {
  auto s = ModelSpec::parse(j.dump());
  return s.ok() ? std::string() : s.message();
}

GraphPort port(std::string name, TensorType type, std::vector<int64_t> shape) {
  return GraphPort{std::move(name), type, std::move(shape)};
}

// What ORT reports for the published ViT-B/32 text graph's shape of export:
// dynamic batch and sequence, int64 ids, a [batch, 512] embedding.
GraphSignature text_graph() {
  return {{port("input_ids", TensorType::int64, {-1, -1})},
          {port("text_embeds", TensorType::float32, {-1, 512}), port("last_hidden_state", TensorType::float32, {-1, -1, 512})}};
}

GraphSignature vision_graph() {
  return {{port("pixel_values", TensorType::float32, {-1, 3, 224, 224})},
          {port("image_embeds", TensorType::float32, {-1, 512})}};
}

GraphSignature zh_graph(int64_t seq = 52) {
  return {{port("input_ids", TensorType::int64, {-1, seq}), port("attention_mask", TensorType::int64, {-1, seq})},
          {port("text_embeds", TensorType::float32, {-1, 512})}};
}

}  // namespace

// ---- schema ----------------------------------------------------------------

TEST(ModelSpec, AManifestWithoutTowersHasOnePrimaryTower) {
  ModelSpec s = spec_of(vitb32_complete_json());
  EXPECT_EQ(s.languages(), std::vector<std::string>{"en"});
  const clip::TextTower* en = *s.text_tower("");
  EXPECT_EQ(en, *s.text_tower("en"));
  EXPECT_EQ(en->input.length, clip::TextLength::variable);
  EXPECT_EQ(en->input.pad_id, 49407);
  EXPECT_EQ(en->tokenizer.kind, "vocab_merges");
}

TEST(ModelSpec, FurtherTowersCarryTheirOwnTokenizerAndContract) {
  ModelSpec s = spec_of(two_tower_json());
  EXPECT_EQ(s.languages(), (std::vector<std::string>{"en", "zh"}));
  const clip::TextTower* zh = *s.text_tower("zh");
  EXPECT_EQ(zh->tokenizer.context_length, 52u);
  EXPECT_EQ(zh->tokenizer.files[0].path, "zh/vocab.txt");
  EXPECT_EQ(zh->input.length, clip::TextLength::fixed);
  EXPECT_EQ(zh->input.pad_id, 0);
  EXPECT_EQ(zh->input.pooling, clip::TextPooling::first);
  EXPECT_EQ(zh->encoder.input_names, (std::vector<std::string>{"input_ids", "attention_mask"}));
  EXPECT_EQ(zh->trained_token_ids, (std::vector<int32_t>{3, 5, 7}));  // sorted, unique

  auto unknown = s.text_tower("fr");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.message(), "model clip-vit-base-patch32 has no text tower for language \"fr\" (it has en, zh)");
}

TEST(ModelSpec, TowersSurviveASerializeRoundTrip) {
  json j = two_tower_json();
  j["accepted_fingerprints"] = {std::string(64, 'a')};
  j["text"]["trained_token_ids"] = {49406, 320, 49407};
  auto m = clip::parse_model_manifest(j.dump());
  ASSERT_TRUE(m.ok()) << m.message();
  const std::string text = clip::serialize_model_manifest(*m);
  auto again = clip::parse_model_manifest(text);
  ASSERT_TRUE(again.ok()) << again.message() << "\n" << text;
  EXPECT_EQ(clip::serialize_model_manifest(*again), text);
  EXPECT_EQ(again->text_towers.size(), 2u);
  EXPECT_EQ(again->text_towers[1].input.length, clip::TextLength::fixed);
  EXPECT_EQ(again->text().trained_token_ids, (std::vector<int32_t>{320, 49406, 49407}));
  EXPECT_EQ(again->accepted_fingerprints, std::vector<std::string>{std::string(64, 'a')});
  // The primary tower's tokenizer stays at the top level, where readers
  // from before towers look for it.
  EXPECT_TRUE(json::parse(text).contains("tokenizer"));
  EXPECT_FALSE(json::parse(text)["text"].contains("tokenizer"));
}

TEST(ModelSpec, TowerErrorsNameTheField) {
  json j = two_tower_json();
  j["text_towers"][0].erase("input");
  EXPECT_EQ(parse_error(j), "model.json: text_towers[0].input is missing");
  j = two_tower_json();
  j["text_towers"][0]["input"]["length"] = "ragged";
  EXPECT_EQ(parse_error(j), "model.json: text_towers[0].input.length must be \"variable\" or \"fixed\", not \"ragged\"");
  j = two_tower_json();
  j["text_towers"][0]["input"]["pooling"] = "mean";
  EXPECT_EQ(parse_error(j),
            "model.json: text_towers[0].input.pooling must be \"argmax\", \"first\" or \"none\", not \"mean\"");
  j = two_tower_json();
  j["text_towers"][0]["language"] = "en";
  EXPECT_EQ(parse_error(j), "model.json: text_towers[0].language \"en\" has two towers");
  j = two_tower_json();
  j["text_towers"][0]["language"] = "Chinese!";
  EXPECT_EQ(parse_error(j).rfind("model.json: text_towers[0].language must be a language tag", 0), 0u);
  j = two_tower_json();
  j["text_towers"][0]["tokenizer"]["kind"] = "sentencepiece";
  EXPECT_EQ(parse_error(j), "model.json: text_towers[0].tokenizer.kind must be " + clip::known_tokenizer_kinds() +
                                ", not \"sentencepiece\"");
  j = two_tower_json();
  j["text_towers"][0]["tokenizer"]["files"][0] = "../escape.txt";
  EXPECT_EQ(parse_error(j).rfind("model.json: text_towers[0].tokenizer.files[0].path must stay inside", 0), 0u);
  j = two_tower_json();
  j["text_towers"][0]["trained_token_ids"] = {1, -2};
  EXPECT_EQ(parse_error(j),
            "model.json: text_towers[0].trained_token_ids must be an array of token ids (integers 0 to 2147483647)");
  j = two_tower_json();
  j["text_towers"][0]["inputs"] = {"input_ids", "attention_mask", "position_ids"};
  EXPECT_EQ(parse_error(j).rfind("model.json: text_towers[0].inputs must list the token ids input", 0), 0u);
  j = two_tower_json();
  j["text_towers"] = json::object();
  EXPECT_EQ(parse_error(j), "model.json: text_towers must be an array of text towers");
  j = two_tower_json();
  j["accepted_fingerprints"] = {"19a3"};
  EXPECT_EQ(parse_error(j), "model.json: accepted_fingerprints[0] must be 64 lowercase hex digits");
}

// ---- tokenizer choice -------------------------------------------------------

TEST(ModelSpec, TheTokenizerComesFromTheTowersKind) {
  ModelSpec s = spec_of(vitb32_complete_json());
  const std::string bpe = read_text(std::string(CLIPSEARCH_SOURCE_DIR) + "/models/clip-bpe/bpe_simple_vocab_16e6.txt");
  json j = vitb32_complete_json();
  j["tokenizer"] = {{"kind", "bpe_simple_vocab"}, {"files", {"bpe_simple_vocab_16e6.txt"}}};
  ModelSpec one_file = spec_of(j);
  auto tok = one_file.make_tokenizer(**one_file.text_tower(""), {bpe});
  ASSERT_TRUE(tok.ok()) << tok.message();
  EXPECT_EQ((*tok)->encode("a photo of a dog", 77), (std::vector<int32_t>{49406, 320, 1125, 539, 320, 1929, 49407}));

  auto wrong_count = s.make_tokenizer(**s.text_tower(""), {bpe});  // vocab_merges takes two files
  ASSERT_FALSE(wrong_count.ok());
  EXPECT_EQ(wrong_count.message(),
            "model clip-vit-base-patch32, en tokenizer: tokenizer kind \"vocab_merges\" takes 2 file(s), got 1");
  auto bad_file = one_file.make_tokenizer(**one_file.text_tower(""), {"not a merges file"});
  ASSERT_FALSE(bad_file.ok());
  EXPECT_EQ(bad_file.message().rfind("model clip-vit-base-patch32, en tokenizer: ", 0), 0u) << bad_file.message();
}

TEST(ModelSpec, ArgmaxPoolingRefusesPaddingAboveTheEndToken) {
  json j = vitb32_complete_json();
  j["tokenizer"] = {{"kind", "bpe_simple_vocab"}, {"files", {"bpe_simple_vocab_16e6.txt"}}};
  j["text"]["input"] = {{"length", "fixed"}, {"pad_id", 60000}, {"pooling", "argmax"}};
  ModelSpec s = spec_of(j);
  const std::string bpe = read_text(std::string(CLIPSEARCH_SOURCE_DIR) + "/models/clip-bpe/bpe_simple_vocab_16e6.txt");
  auto tok = s.make_tokenizer(**s.text_tower(""), {bpe});
  ASSERT_FALSE(tok.ok());
  EXPECT_NE(tok.message().find("pad_id 60000 is above the end token 49407"), std::string::npos) << tok.message();
}

// ---- text input -------------------------------------------------------------

TEST(ModelSpec, VariableLengthTextIsNeverPadded) {
  ModelSpec s = spec_of(vitb32_complete_json());
  const clip::TextTower& en = **s.text_tower("");
  const std::vector<std::vector<int32_t>> rows = {{49406, 320, 49407}, {49406, 49407}, {49406, 1929, 49407}};
  auto batches = s.text_batches(en, rows, text_graph());
  ASSERT_TRUE(batches.ok()) << batches.message();
  ASSERT_EQ(batches->size(), 2u);  // one per length, in length order
  const clip::TextBatch& two = (*batches)[0];
  EXPECT_EQ(two.rows, std::vector<size_t>{1});
  EXPECT_EQ(two.sequence, 2);
  EXPECT_EQ(two.ids, (std::vector<int64_t>{49406, 49407}));
  const clip::TextBatch& three = (*batches)[1];
  EXPECT_EQ(three.rows, (std::vector<size_t>{0, 2}));
  EXPECT_EQ(three.batch, 2);
  EXPECT_EQ(three.ids, (std::vector<int64_t>{49406, 320, 49407, 49406, 1929, 49407}));
  EXPECT_EQ(three.mask, std::vector<int64_t>(6, 1));
}

TEST(ModelSpec, FixedLengthTextIsPaddedWithThePadId) {
  ModelSpec s = spec_of(two_tower_json());
  const clip::TextTower& zh = **s.text_tower("zh");
  auto batches = s.text_batches(zh, {{101, 7, 102}, {101, 102}}, zh_graph());
  ASSERT_TRUE(batches.ok()) << batches.message();
  ASSERT_EQ(batches->size(), 1u);
  const clip::TextBatch& b = batches->front();
  EXPECT_EQ(b.batch, 2);
  EXPECT_EQ(b.sequence, 52);
  std::vector<int64_t> first(52, 0);
  first[0] = 101, first[1] = 7, first[2] = 102;
  EXPECT_EQ(std::vector<int64_t>(b.ids.begin(), b.ids.begin() + 52), first);
  EXPECT_EQ(b.mask[2], 1);
  EXPECT_EQ(b.mask[3], 0);
  EXPECT_EQ(b.mask[52 + 1], 1);
  EXPECT_EQ(b.mask[52 + 2], 0);
}

TEST(ModelSpec, BatchesFollowRowLimitsAndStaticBatchSizes) {
  ModelSpec s = spec_of(two_tower_json());
  const clip::TextTower& zh = **s.text_tower("zh");
  const std::vector<std::vector<int32_t>> rows = {{101, 1, 102}, {101, 2, 102}, {101, 3, 102}};
  auto one_each = s.text_batches(zh, rows, zh_graph(), 1);  // e.g. a dynamically quantised graph
  ASSERT_TRUE(one_each.ok());
  ASSERT_EQ(one_each->size(), 3u);
  EXPECT_EQ((*one_each)[2].rows, std::vector<size_t>{2});
  EXPECT_EQ((*one_each)[2].batch, 1);

  GraphSignature batch_of_two = zh_graph();
  batch_of_two.inputs[0].shape[0] = 2;  // an export with a fixed batch size
  auto filled = s.text_batches(zh, rows, batch_of_two);
  ASSERT_TRUE(filled.ok());
  ASSERT_EQ(filled->size(), 2u);
  EXPECT_EQ((*filled)[1].rows, std::vector<size_t>{2});
  EXPECT_EQ((*filled)[1].batch, 2);  // one real row, one filler row of padding
  EXPECT_EQ((*filled)[1].ids[52], 0);
  EXPECT_EQ((*filled)[1].mask[52], 0);

  auto too_long = s.text_batches(zh, {std::vector<int32_t>(53, 5)}, zh_graph());
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.message(), "text 0: 53 token ids, expected 1 to 52 (the zh tower's context length)");
}

// ---- graph contract ---------------------------------------------------------

TEST(ModelSpec, MatchingGraphsPass) {
  ModelSpec s = spec_of(two_tower_json());
  EXPECT_TRUE(s.check_text_graph(**s.text_tower(""), text_graph(), "onnx/text_model.onnx").ok());
  EXPECT_TRUE(s.check_text_graph(**s.text_tower("zh"), zh_graph(), "zh/text_model.onnx").ok());
  EXPECT_TRUE(s.check_text_graph(**s.text_tower("zh"), zh_graph(-1), "zh/text_model.onnx").ok());  // dynamic is fine
  EXPECT_TRUE(s.check_vision_graph(vision_graph(), "onnx/vision_model.onnx").ok());
  GraphSignature fp16_io = vision_graph();
  fp16_io.inputs[0].type = TensorType::float16;  // exported without keep_io_types
  fp16_io.outputs[0].type = TensorType::float16;
  EXPECT_TRUE(s.check_vision_graph(fp16_io, "onnx/vision_model_fp16.onnx").ok());
}

TEST(ModelSpec, AMismatchNamesWhatModelJsonSaysAndWhatTheGraphHas) {
  ModelSpec s = spec_of(vitb32_complete_json());
  const clip::TextTower& en = **s.text_tower("");
  GraphSignature g = text_graph();
  g.outputs[0].name = "pooler_output";
  auto r = s.check_text_graph(en, g, "onnx/text_model.onnx");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message(),
            "onnx/text_model.onnx: the graph does not match model.json: model.json's text tower \"en\" names inputs "
            "[input_ids] and output text_embeds; the graph has inputs [input_ids] and outputs [pooler_output, "
            "last_hidden_state]");
  g = text_graph();
  g.inputs.push_back(port("attention_mask", TensorType::int64, {-1, -1}));  // a graph input we would not feed
  r = s.check_text_graph(en, g, "onnx/text_model.onnx");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.message().find("the graph has inputs [input_ids, attention_mask]"), std::string::npos) << r.message();
}

TEST(ModelSpec, TextLengthTypesAndWidthAreChecked) {
  ModelSpec s = spec_of(two_tower_json());
  const clip::TextTower& en = **s.text_tower("");
  GraphSignature g = text_graph();
  g.inputs[0].shape = {1, 77};  // MobileCLIP-like: fixed 77 ids
  auto r = s.check_text_graph(en, g, "onnx/text_model.onnx");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message(),
            "onnx/text_model.onnx: model.json says the en text input has variable length (up to 77 ids), but the "
            "graph's input 'input_ids' takes exactly 77 (set text.input.length to \"fixed\" if it was trained so)");
  r = s.check_text_graph(**s.text_tower("zh"), zh_graph(64), "zh/text_model.onnx");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message(),
            "zh/text_model.onnx: model.json says the zh text input is fixed at 52 ids, but the graph's input "
            "'input_ids' takes 64");
  g = text_graph();
  g.inputs[0].type = TensorType::float32;
  r = s.check_text_graph(en, g, "t.onnx");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message(), "t.onnx: input 'input_ids' is float32 in the graph; model.json feeds it token ids (int64 or int32)");
  g = text_graph();
  g.outputs[0].shape = {-1, 768};
  r = s.check_text_graph(en, g, "t.onnx");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message(), "t.onnx: output 'text_embeds' is [?, 768] in the graph, but model.json says embedding_dim 512");
}

TEST(ModelSpec, ImageSizeIsChecked) {
  ModelSpec s = spec_of(vitb32_complete_json());
  GraphSignature g = vision_graph();
  g.inputs[0].shape = {-1, 3, 256, 256};
  auto r = s.check_vision_graph(g, "onnx/vision_model.onnx");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message(),
            "onnx/vision_model.onnx: model.json says images are 224x224 RGB, [batch, 3, 224, 224], but the graph's "
            "input 'pixel_values' is [?, 3, 256, 256]");
  g = vision_graph();
  g.inputs[0].name = "images";
  r = s.check_vision_graph(g, "onnx/vision_model.onnx");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.message().find("model.json's vision names inputs [pixel_values] and output image_embeds; the graph has "
                             "inputs [images]"),
            std::string::npos)
      << r.message();
}

// ---- precision --------------------------------------------------------------

TEST(ModelSpec, EachBackendGetsItsPreferredPrecision) {
  ModelSpec s = spec_of(vitb32_complete_json());
  const clip::EncoderSpec& text = s.manifest().text().encoder;
  EXPECT_EQ(s.choose_variant(text, "webgpu")->file.path, "onnx/text_model_fp16.onnx");
  auto wasm = s.choose_variant(text, "wasm");
  EXPECT_EQ(wasm->file.path, "onnx/text_model_quantized.onnx");
  EXPECT_EQ(wasm->precision, "int8");
  EXPECT_EQ(wasm->max_rows, 1u);  // dynamically quantised: one row per run
  auto cuda = s.choose_variant(text, "cuda");  // no preference listed: the most precise
  EXPECT_EQ(cuda->file.path, "onnx/text_model.onnx");
  EXPECT_EQ(cuda->max_rows, 0u);

  // A WebGPU adapter without float16 arithmetic takes fp32 over the preferred fp16.
  EXPECT_EQ(s.choose_variant(text, "webgpu", /*half_precision=*/false)->precision, "fp32");

  json j = vitb32_complete_json();
  j["text"]["variants"].erase("fp32");
  ModelSpec no_fp32 = spec_of(j);
  EXPECT_EQ(no_fp32.choose_variant(no_fp32.manifest().text().encoder, "webgpu", false)->precision, "int8");
  EXPECT_EQ(no_fp32.choose_variant(no_fp32.manifest().text().encoder, "cpu")->precision, "fp16");

  auto defaults = clip::default_preferred_precision(s.manifest());
  EXPECT_EQ(defaults.at("webgpu"), "fp16");
  EXPECT_EQ(defaults.at("wasm"), "int8");
  EXPECT_EQ(defaults.at("cpu"), "fp32");
  ModelSpec two = spec_of(two_tower_json());  // the zh tower has no fp16: WebGPU takes fp32
  EXPECT_EQ(clip::default_preferred_precision(two.manifest()).at("webgpu"), "fp32");
}

TEST(ModelSpec, OnePrecisionAskedForByName) {
  ModelSpec s = spec_of(vitb32_complete_json());
  const clip::EncoderSpec& text = s.manifest().text().encoder;
  auto int8 = s.variant(text, "int8");
  ASSERT_TRUE(int8.ok()) << int8.message();
  EXPECT_EQ(int8->file.path, "onnx/text_model_quantized.onnx");
  EXPECT_EQ(int8->max_rows, 1u);  // the same rows rule as choose_variant
  EXPECT_EQ(s.variant(text, "fp16")->max_rows, 0u);
  json j = vitb32_complete_json();
  j["text"]["variants"].erase("fp16");
  ModelSpec no_fp16 = spec_of(j);
  auto missing = no_fp16.variant(no_fp16.manifest().text().encoder, "fp16");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.message().find("has no fp16 file (it has fp32, int8)"), std::string::npos) << missing.message();
}

// ---- index compatibility -----------------------------------------------------

TEST(ModelSpec, IndexesOfThisModelOrAnAcceptedFingerprintFit) {
  auto m = clip::parse_model_manifest(vitb32_complete_json().dump());
  ASSERT_TRUE(clip::complete_fingerprints(&*m).ok());
  auto s = ModelSpec::from_manifest(*m);
  ASSERT_TRUE(s.ok()) << s.message();
  const clip::ModelIdentity id = s->identity();
  EXPECT_EQ(id.fingerprint, m->fingerprint);
  EXPECT_EQ(id.dim, 512u);
  const std::string v1 = *clip::compute_legacy_fingerprint_v1(*m);
  EXPECT_TRUE(id.accepts(m->fingerprint));
  EXPECT_TRUE(id.accepts(v1));  // an index built before fingerprint format 2
  EXPECT_FALSE(id.accepts(std::string(64, '9')));
  EXPECT_FALSE(id.accepts(""));

  // The index's own check takes the identity, accepted fingerprints included.
  auto index_with = [](const std::string& fp, uint32_t dim) {
    clip::IndexManifest im;
    im.model_name = "clip-vit-base-patch32";
    im.model_fingerprint = fp;
    im.dim = dim;
    return clip::Index(im);
  };
  EXPECT_TRUE(index_with(v1, 512).check_model(id, "--model x").ok());
  auto other = index_with(std::string(64, '9'), 512).check_model(id, "--model x");
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.message().find("another model"), std::string::npos) << other.message();
  EXPECT_FALSE(index_with(m->fingerprint, 768).check_model(id, "--model x").ok());
}
