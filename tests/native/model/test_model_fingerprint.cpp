#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>

#include "core/model/model_manifest.h"
#include "core/util/sha256.h"
#include "model_test_util.h"

using nlohmann::json;

namespace {

std::string fingerprint_of(const json& j, bool v1 = false) {
  auto m = clip::parse_model_manifest(j.dump());
  EXPECT_TRUE(m.ok()) << m.message();
  if (!m.ok()) return "";
  auto fp = v1 ? clip::compute_legacy_fingerprint_v1(*m) : clip::compute_model_fingerprint(*m);
  EXPECT_TRUE(fp.ok()) << fp.message();
  return fp.ok() ? *fp : "";
}

// A second text tower (another language) for `j`.
json zh_tower() {
  return {{"language", "zh"},
          {"variants", {{"fp32", {{"path", "zh/text_model.onnx"}, {"sha256", std::string(64, '4')}}}}},
          {"inputs", {"input_ids", "attention_mask"}},
          {"output", "text_embeds"},
          {"tokenizer",
           {{"kind", "vocab_merges"},
            {"files", {{{"path", "zh/vocab.json"}, {"sha256", std::string(64, '5')}},
                       {{"path", "zh/merges.txt"}, {"sha256", std::string(64, '6')}}}},
            {"context_length", 52}}},
          {"input", {{"length", "fixed"}, {"pad_id", 0}, {"pooling", "first"}}}};
}

std::string python_fingerprint(const json& j, const char* flag) {
  std::string path = testing::TempDir() + "fingerprint_twin.json";
  std::ofstream(path) << j.dump();
  std::string cmd =
      "/usr/bin/python3 " + std::string(CLIPSEARCH_SOURCE_DIR) + "/models/model_fingerprint.py " + flag + " " + path;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return "";
  char buf[128] = {};
  size_t n = fread(buf, 1, sizeof buf - 1, p);
  if (pclose(p) != 0) return "";
  std::string out(buf, n);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

}  // namespace

TEST(ModelFingerprint, IsSha256HexOfTheImageSideText) {
  auto m = clip::parse_model_manifest(vitb32_complete_json().dump());
  ASSERT_TRUE(m.ok()) << m.message();
  auto text = clip::model_fingerprint_text(*m);
  ASSERT_TRUE(text.ok()) << text.message();
  EXPECT_EQ(text->rfind("clip-model-fingerprint/2\nembedding_dim=512\n", 0), 0u) << *text;
  EXPECT_NE(text->find("vision=fd6e1402a588279d1723c7534d4bcba5bc0b14b47dfab0e46f8c47b8270d7d40\n"),
            std::string::npos);
  // The text side is not part of it.
  EXPECT_EQ(text->find("text="), std::string::npos) << *text;
  EXPECT_EQ(text->find("tokenizer"), std::string::npos) << *text;
  // Floats enter as their float32 bit patterns, written as 8 hex digits.
  float mean0 = 0.48145466f;
  uint32_t bits;
  std::memcpy(&bits, &mean0, 4);
  char hex[16];
  std::snprintf(hex, sizeof hex, "%08x,", bits);
  EXPECT_NE(text->find(std::string("image.mean=") + hex), std::string::npos) << *text;
  auto fp = clip::compute_model_fingerprint(*m);
  ASSERT_TRUE(fp.ok());
  EXPECT_EQ(*fp, clip::to_hex(clip::sha256(text->data(), text->size())));
}

TEST(ModelFingerprint, ChangesWithEveryInputThatChangesImageEmbeddings) {
  const json base = vitb32_complete_json();
  std::set<std::string> seen{fingerprint_of(base)};
  auto expect_new = [&](const char* what, json j) {
    EXPECT_TRUE(seen.insert(fingerprint_of(j)).second) << what << " did not change the fingerprint";
  };
  json j = base;
  j["vision"]["variants"]["fp32"]["sha256"] = std::string(64, 'd');
  expect_new("vision weights", j);
  j = base;
  j["embedding_dim"] = 768;
  expect_new("embedding dim", j);
  j = base;
  j["image"]["size"] = 256;
  expect_new("image size", j);
  j = base;
  j["image"]["resample"] = "bilinear";
  expect_new("resample", j);
  j = base;
  j["image"]["resize"] = "exact";
  j["image"]["crop"] = "none";
  expect_new("resize rule", j);
  j = base;
  j["image"]["mean"][1] = 0.4578276;  // one float32 step away
  expect_new("mean", j);
  j = base;
  j["image"]["std"] = {1, 1, 1};
  expect_new("std", j);
}

// An index holds image vectors only: text towers trained into the same
// locked image space (a retrained English tower, an added Chinese one) query
// it as well as the original did.
TEST(ModelFingerprint, IgnoresTheTextSideAndWhatDoesNotChangeEmbeddings) {
  const json base = vitb32_complete_json();
  const std::string fp = fingerprint_of(base);
  json j = base;
  j["text"]["variants"]["fp32"]["sha256"] = std::string(64, 'c');  // retrained text tower
  j["tokenizer"]["files"][1]["sha256"] = std::string(64, 'e');
  j["tokenizer"]["context_length"] = 64;
  j["text_towers"] = json::array({zh_tower()});
  j["vision"]["variants"]["int8"]["sha256"] = std::string(64, 'f');  // a re-quantised int8 file
  j["text"]["variants"].erase("fp16");
  j["name"] = "renamed";
  j["logit_scale"] = 50;
  j["preferred_precision"] = {{"cpu", "int8"}};
  j["vision"]["variants"]["fp32"]["path"] = "elsewhere/vision.onnx";
  j["vision"]["variants"]["fp32"]["bytes"] = 123;
  EXPECT_EQ(fingerprint_of(j), fp);
  // Without fp32 the next most precise vision file stands in.
  j = base;
  j["vision"]["variants"].erase("fp32");
  std::string fp16_only = fingerprint_of(j);
  EXPECT_NE(fp16_only, fp);
  j["vision"]["variants"]["fp16"]["sha256"] = std::string(64, '7');
  EXPECT_NE(fingerprint_of(j), fp16_only);
}

TEST(ModelFingerprint, NeedsTheHashOfTheVisionFile) {
  json j = vitb32_complete_json();
  j["vision"]["variants"]["fp32"]["sha256"] = "";
  auto m = clip::parse_model_manifest(j.dump());
  ASSERT_TRUE(m.ok()) << m.message();
  auto fp = clip::compute_model_fingerprint(*m);
  ASSERT_FALSE(fp.ok());
  EXPECT_EQ(fp.message(), "model fingerprint: onnx/vision_model.onnx has no sha256 in the manifest");
  // Format 1 also needed the primary text tower's files.
  auto v1 = clip::compute_legacy_fingerprint_v1(*clip::parse_model_manifest(vitb32_manifest_text()));
  ASSERT_FALSE(v1.ok());
  EXPECT_EQ(v1.message(), "model fingerprint: onnx/text_model.onnx has no sha256 in the manifest");
}

// Indexes built before format 2 record format 1, which covered the primary
// text tower too: the bundled demo model's was 19a3a3f6…
TEST(ModelFingerprint, FormatOneIsStillComputedAsBefore) {
  std::string path = std::string(CLIPSEARCH_SOURCE_DIR) + "/models/demo/model.json";
  auto m = clip::parse_model_manifest(read_text(path));
  ASSERT_TRUE(m.ok()) << m.message();
  auto v1 = clip::compute_legacy_fingerprint_v1(*m);
  ASSERT_TRUE(v1.ok()) << v1.message();
  EXPECT_EQ(*v1, "19a3a3f64e4e782f278c006120285a72f97641d6eb107a5ef063d055ff9638e5");
  auto text = clip::legacy_fingerprint_v1_text(*m);
  EXPECT_EQ(text->rfind("clip-model-fingerprint/1\nembedding_dim=128\ntext=80c4afae", 0), 0u) << *text;

  const json base = vitb32_complete_json();
  json j = base;
  j["text"]["variants"]["fp32"]["sha256"] = std::string(64, 'c');
  EXPECT_NE(fingerprint_of(j, true), fingerprint_of(base, true));
  j = base;
  j["text_towers"] = json::array({zh_tower()});  // format 1 knew one tower: the primary one
  EXPECT_EQ(fingerprint_of(j, true), fingerprint_of(base, true));
}

TEST(ModelFingerprint, CompleteSetsFormatTwoAndAcceptsFormatOneOnce) {
  auto m = clip::parse_model_manifest(vitb32_complete_json().dump());
  ASSERT_TRUE(m.ok()) << m.message();
  m->accepted_fingerprints = {std::string(64, '1')};  // an earlier version's, kept
  ASSERT_TRUE(clip::complete_fingerprints(&*m).ok());
  EXPECT_EQ(m->fingerprint, *clip::compute_model_fingerprint(*m));
  const std::vector<std::string> want = {std::string(64, '1'), *clip::compute_legacy_fingerprint_v1(*m)};
  EXPECT_EQ(m->accepted_fingerprints, want);
  ASSERT_TRUE(clip::complete_fingerprints(&*m).ok());
  EXPECT_EQ(m->accepted_fingerprints, want);
}

// models/model_fingerprint.py is the same definition for Python writers.
TEST(ModelFingerprint, AgreesWithThePythonTwin) {
  json j = vitb32_complete_json();
  j["image"]["mean"] = {0.1, 0.2, 0.30000001};
  j["text_towers"] = json::array({zh_tower()});
  const std::string v2 = python_fingerprint(j, ""), v1 = python_fingerprint(j, "--v1");
  if (v2.empty()) GTEST_SKIP() << "/usr/bin/python3 cannot run models/model_fingerprint.py";
  EXPECT_EQ(v2, fingerprint_of(j));
  EXPECT_EQ(v1, fingerprint_of(j, true));
}
