#include "core/model/model_manifest.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "model_test_util.h"

using clip::ModelManifest;
using clip::parse_model_manifest;
using nlohmann::json;

namespace {

// Parses `j` and returns the error message ("" when it parsed).
std::string parse_error(const json& j) {
  auto m = parse_model_manifest(j.dump());
  return m.ok() ? std::string() : m.message();
}

}  // namespace

TEST(ModelManifest, ParsesTheRealViTB32Manifest) {
  auto m = parse_model_manifest(vitb32_manifest_text());
  ASSERT_TRUE(m.ok()) << m.message();
  EXPECT_EQ(m->name, "clip-vit-base-patch32");
  EXPECT_EQ(m->embedding_dim, 512u);
  EXPECT_FLOAT_EQ(m->logit_scale, 100.0f);
  ASSERT_EQ(m->text_towers.size(), 1u);
  const clip::TextTower& text = m->text();
  EXPECT_EQ(text.language, "en");  // the default for the primary tower
  ASSERT_EQ(text.encoder.variants.size(), 3u);
  EXPECT_EQ(text.encoder.variants.at("int8").path, "onnx/text_model_quantized.onnx");
  EXPECT_EQ(m->vision.variants.at("fp32").sha256,
            "fd6e1402a588279d1723c7534d4bcba5bc0b14b47dfab0e46f8c47b8270d7d40");
  EXPECT_EQ(text.encoder.input_names, std::vector<std::string>{"input_ids"});
  EXPECT_EQ(m->vision.output_name, "image_embeds");
  EXPECT_EQ(text.tokenizer.kind, "vocab_merges");
  ASSERT_EQ(text.tokenizer.files.size(), 2u);
  EXPECT_EQ(text.tokenizer.files[1].path, "merges.txt");  // bare path form
  EXPECT_EQ(text.tokenizer.files[1].sha256, "");
  EXPECT_EQ(text.tokenizer.context_length, 77u);
  EXPECT_EQ(text.input.length, clip::TextLength::variable);
  EXPECT_EQ(text.input.pooling, clip::TextPooling::argmax);
  EXPECT_EQ(m->image.size, 224);
  EXPECT_FLOAT_EQ(m->image.mean[0], 0.48145466f);
  EXPECT_FLOAT_EQ(m->image.std[2], 0.27577711f);
  EXPECT_EQ(m->preferred_precision.at("webgpu"), "fp16");
  EXPECT_EQ(m->source.revision, "4c1807b705b1d015fb032789cc4d221b23025a6f");
}

TEST(ModelManifest, SerializeThenParseGivesTheSameManifest) {
  auto first = parse_model_manifest(vitb32_manifest_text());
  ASSERT_TRUE(first.ok()) << first.message();
  ModelManifest m = *first;
  m.agreement["fp16"] = 0.99991f;
  m.agreement["int8"] = 0.9871f;
  m.image.resample = clip::ResampleFilter::bilinear;
  std::string text = clip::serialize_model_manifest(m);
  auto again = parse_model_manifest(text);
  ASSERT_TRUE(again.ok()) << again.message() << "\n" << text;
  EXPECT_EQ(clip::serialize_model_manifest(*again), text);
  EXPECT_EQ(again->agreement.at("int8"), 0.9871f);
  EXPECT_EQ(again->image.resample, clip::ResampleFilter::bilinear);
  for (int c = 0; c < 3; ++c) {
    EXPECT_EQ(again->image.mean[c], m.image.mean[c]);  // floats survive bit-exactly
    EXPECT_EQ(again->image.std[c], m.image.std[c]);
  }
  // Floats are written as the shortest decimal that reads back as the same
  // float, not as the double expansion 0.4814546704292297.
  EXPECT_EQ(text.find("0.4814546704"), std::string::npos) << text;
}

// Callers preprocess with `image` as parsed: size, mean, std and the filter
// image.resample names (MobileCLIP's "bilinear"; bicubic when absent).
TEST(ModelManifest, ImageConfigCarriesTheResampleFilter) {
  auto m = parse_model_manifest(vitb32_manifest_text());
  ASSERT_TRUE(m.ok()) << m.message();
  EXPECT_EQ(m->image.resample, clip::ResampleFilter::bicubic);
  EXPECT_EQ(m->image.size, 224);

  json j = json::parse(vitb32_manifest_text());
  j["image"]["resample"] = "bilinear";
  auto mobile = parse_model_manifest(j.dump());
  ASSERT_TRUE(mobile.ok()) << mobile.message();
  EXPECT_EQ(mobile->image.resample, clip::ResampleFilter::bilinear);
  EXPECT_EQ(mobile->image.mean[1], m->image.mean[1]);

  j["image"].erase("resample");
  auto unnamed = parse_model_manifest(j.dump());
  ASSERT_TRUE(unnamed.ok()) << unnamed.message();
  EXPECT_EQ(unnamed->image.resample, clip::ResampleFilter::bicubic);

  j["image"]["resample"] = "nearest";
  const std::string error = parse_error(j);
  EXPECT_NE(error.find("image.resample"), std::string::npos) << error;
  EXPECT_NE(error.find("\"nearest\""), std::string::npos) << error;
}

// image.resize + image.crop: CLIP's "shortest_edge" + "center" (the default)
// or Chinese-CLIP's "exact" + "none"; a pair that does not go together is
// refused naming both.
TEST(ModelManifest, ImageConfigCarriesTheResizeRule) {
  auto clip_model = parse_model_manifest(vitb32_manifest_text());
  ASSERT_TRUE(clip_model.ok()) << clip_model.message();
  EXPECT_EQ(clip_model->image.resize, clip::ResizeRule::shortest_edge_center_crop);

  json j = json::parse(vitb32_manifest_text());
  j["image"]["resize"] = "exact";
  j["image"]["crop"] = "none";
  auto chinese = parse_model_manifest(j.dump());
  ASSERT_TRUE(chinese.ok()) << chinese.message();
  EXPECT_EQ(chinese->image.resize, clip::ResizeRule::exact);
  const std::string text = clip::serialize_model_manifest(*chinese);
  EXPECT_NE(text.find("\"resize\": \"exact\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"crop\": \"none\""), std::string::npos) << text;
  auto again = parse_model_manifest(text);
  ASSERT_TRUE(again.ok()) << again.message();
  EXPECT_EQ(again->image.resize, clip::ResizeRule::exact);

  j["image"]["crop"] = "center";
  EXPECT_EQ(parse_error(j), "model.json: image.resize \"exact\" with crop \"center\": \"exact\" resizes to the "
                            "square itself, so crop must be \"none\"");
  j["image"]["resize"] = "squash";
  EXPECT_NE(parse_error(j).find("\"squash\" is unknown"), std::string::npos) << parse_error(j);
}

TEST(ModelManifest, TheBundledDemoModelManifestIsValid) {
  std::string path = std::string(CLIPSEARCH_SOURCE_DIR) + "/models/demo/model.json";
  if (!std::ifstream(path)) GTEST_SKIP() << path << " not there yet";
  auto m = parse_model_manifest(read_text(path));
  ASSERT_TRUE(m.ok()) << m.message();
  auto fp = clip::compute_model_fingerprint(*m);
  ASSERT_TRUE(fp.ok()) << fp.message();
  EXPECT_EQ(m->fingerprint, *fp) << "models/demo/model.json's fingerprint is stale";
  // Indexes built with it before fingerprint format 2 (tests/data/index/demo-fingerprint-v1).
  EXPECT_NE(std::find(m->accepted_fingerprints.begin(), m->accepted_fingerprints.end(),
                      "19a3a3f64e4e782f278c006120285a72f97641d6eb107a5ef063d055ff9638e5"),
            m->accepted_fingerprints.end());
}

TEST(ModelManifest, ErrorsNameTheField) {
  json j = json::parse(vitb32_manifest_text());
  json bad = j;
  bad["text"]["variants"]["fp32"]["bytes"] = -1;
  EXPECT_EQ(parse_error(bad), "model.json: text.variants.fp32.bytes must be a non-negative integer");
  bad = j;
  bad["text"]["variants"]["fp32"]["bytes"] = 1.5;
  EXPECT_EQ(parse_error(bad), "model.json: text.variants.fp32.bytes must be a non-negative integer");
  bad = j;
  bad["vision"]["variants"]["fp16"]["sha256"] = "abc";
  EXPECT_EQ(parse_error(bad), "model.json: vision.variants.fp16.sha256 must be 64 lowercase hex digits");
  bad = j;
  bad["image"].erase("std");
  EXPECT_EQ(parse_error(bad), "model.json: image.std is missing");
  bad = j;
  bad["image"]["mean"] = {0.5, 0.5};
  EXPECT_EQ(parse_error(bad), "model.json: image.mean must be an array of 3 numbers");
  bad = j;
  bad["image"]["std"] = {0.5, 0.0, 0.5};
  EXPECT_EQ(parse_error(bad), "model.json: image.std must be 3 positive numbers");
  bad = j;
  bad["image"]["size"] = 8;
  EXPECT_EQ(parse_error(bad), "model.json: image.size must be between 16 and 1024");
  bad = j;
  bad["embedding_dim"] = 0;
  EXPECT_EQ(parse_error(bad), "model.json: embedding_dim must be between 1 and 65536");
  bad = j;
  bad["format"] = 2;
  EXPECT_EQ(parse_error(bad), "model.json: format 2 is not supported (this build reads format 1)");
  bad = j;
  bad["tokenizer"]["files"] = {"vocab.json"};
  EXPECT_EQ(parse_error(bad), "model.json: tokenizer.files must list 2 file(s) for kind \"vocab_merges\"");
  bad = j;
  bad["text"]["variants"]["q4"] = {{"path", "x.onnx"}};
  EXPECT_EQ(parse_error(bad),
            "model.json: text.variants has unknown precision \"q4\" (expected fp32, fp16 or int8)");
  bad = j;
  bad["preferred_precision"]["webgl"] = "fp32";
  EXPECT_EQ(parse_error(bad),
            "model.json: preferred_precision has unknown backend \"webgl\" (expected webgpu, wasm, cpu or cuda)");
  bad = j;
  bad["vision"]["inputs"] = {"pixel_values", 3};
  EXPECT_EQ(parse_error(bad), "model.json: vision.inputs must be an array of strings");
}

TEST(ModelManifest, SyntaxErrorsGiveTheByteOffset) {
  auto m = parse_model_manifest("{\"format\": 1,, }");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.message(), "model.json: not valid JSON (syntax error at byte 13)");
}

TEST(ModelManifest, PathsCannotLeaveTheModelFolder) {
  json j = json::parse(vitb32_manifest_text());
  for (const char* hostile : {"/etc/passwd", "../other/text_model.onnx", "onnx/../../x.onnx", "onnx/./x.onnx",
                              "onnx//x.onnx", "onnx/", "C:\\models\\x.onnx", "c:x.onnx", "..", ".", ""}) {
    json bad = j;
    bad["text"]["variants"]["fp32"]["path"] = hostile;
    std::string err = parse_error(bad);
    EXPECT_EQ(err.rfind("model.json: text.variants.fp32.path ", 0), 0u) << hostile << " -> " << err;
    bad = j;
    bad["tokenizer"]["files"][0] = hostile;
    err = parse_error(bad);
    EXPECT_EQ(err.rfind("model.json: tokenizer.files[0].path ", 0), 0u) << hostile << " -> " << err;
  }
  json nul = j;
  nul["vision"]["variants"]["fp32"]["path"] = std::string("onnx/a\0b.onnx", 13);
  EXPECT_NE(parse_error(nul), "");
  EXPECT_TRUE(clip::check_model_path("onnx/vision_model.onnx").ok());
  EXPECT_TRUE(clip::check_model_path("..hidden/x..onnx").ok());  // dots inside names are fine
}

TEST(ModelManifest, HostileDocumentsGiveErrorsNotCrashes) {
  EXPECT_FALSE(parse_model_manifest("").ok());
  EXPECT_FALSE(parse_model_manifest("null").ok());
  EXPECT_FALSE(parse_model_manifest("[]").ok());
  EXPECT_FALSE(parse_model_manifest("\"model\"").ok());
  EXPECT_FALSE(parse_model_manifest(std::string(200000, '[')).ok());           // deep nesting
  EXPECT_FALSE(parse_model_manifest(std::string(clip::kMaxModelManifestBytes + 1, ' ')).ok());
  json j = json::parse(vitb32_manifest_text());
  j["embedding_dim"] = "512";
  EXPECT_EQ(parse_error(j), "model.json: embedding_dim must be a non-negative integer");
  j = json::parse(vitb32_manifest_text());
  j["text"] = {1, 2, 3};
  EXPECT_EQ(parse_error(j), "model.json: text must be a JSON object");
  auto inf = parse_model_manifest(
      json::parse(vitb32_manifest_text()).dump().replace(0, 1, "{\"logit_scale\": 1e999,"));
  EXPECT_FALSE(inf.ok());

  // Every truncation of a valid manifest is an error, and every one-byte
  // change either still parses or is an error: never a crash.
  std::string text = json::parse(vitb32_manifest_text()).dump();
  for (size_t n = 0; n < text.size(); ++n) EXPECT_FALSE(parse_model_manifest(text.substr(0, n)).ok()) << n;
  for (size_t i = 0; i < text.size(); ++i) {
    for (char c : {'"', '9', '-', '{', '\\', '\0'}) {
      std::string mutated = text;
      mutated[i] = c;
      auto m = parse_model_manifest(mutated);
      if (m.ok()) {
        EXPECT_TRUE(clip::validate_model_manifest(*m).ok());
      }
    }
  }
}
