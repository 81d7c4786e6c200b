#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <set>

#include "core/model/model_manifest.h"
#include "core/util/sha256.h"
#include "model_test_util.h"

using nlohmann::json;

namespace {

std::string fingerprint_of(const json& j) {
  auto m = clip::parse_model_manifest(j.dump());
  EXPECT_TRUE(m.ok()) << m.message();
  if (!m.ok()) return "";
  auto fp = clip::compute_model_fingerprint(*m);
  EXPECT_TRUE(fp.ok()) << fp.message();
  return fp.ok() ? *fp : "";
}

}  // namespace

TEST(ModelFingerprint, IsSha256HexOfTheCanonicalText) {
  auto m = clip::parse_model_manifest(vitb32_complete_json().dump());
  ASSERT_TRUE(m.ok()) << m.message();
  auto text = clip::model_fingerprint_text(*m);
  ASSERT_TRUE(text.ok()) << text.message();
  EXPECT_EQ(text->rfind("clip-model-fingerprint/1\n", 0), 0u);
  EXPECT_NE(text->find("vision=fd6e1402a588279d1723c7534d4bcba5bc0b14b47dfab0e46f8c47b8270d7d40\n"),
            std::string::npos);
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

TEST(ModelFingerprint, ChangesWithEveryInputThatChangesEmbeddings) {
  const json base = vitb32_complete_json();
  std::set<std::string> seen{fingerprint_of(base)};
  auto expect_new = [&](const char* what, json j) {
    EXPECT_TRUE(seen.insert(fingerprint_of(j)).second) << what << " did not change the fingerprint";
  };
  json j = base;
  j["text"]["variants"]["fp32"]["sha256"] = std::string(64, 'c');
  expect_new("text weights", j);
  j = base;
  j["vision"]["variants"]["fp32"]["sha256"] = std::string(64, 'd');
  expect_new("vision weights", j);
  j = base;
  j["tokenizer"]["files"][1]["sha256"] = std::string(64, 'e');
  expect_new("merges.txt", j);
  j = base;
  j["tokenizer"]["context_length"] = 64;
  expect_new("context length", j);
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
  j["image"]["mean"][1] = 0.4578276;  // one float32 step away
  expect_new("mean", j);
  j = base;
  j["image"]["std"] = {1, 1, 1};
  expect_new("std", j);
}

TEST(ModelFingerprint, IgnoresWhatDoesNotChangeEmbeddings) {
  const json base = vitb32_complete_json();
  const std::string fp = fingerprint_of(base);
  json j = base;
  j["text"]["variants"]["int8"]["sha256"] = std::string(64, 'f');  // a re-quantised int8 file
  j["vision"]["variants"].erase("fp16");
  j["name"] = "renamed";
  j["logit_scale"] = 50;
  j["preferred_precision"] = {{"cpu", "int8"}};
  j["text"]["variants"]["fp32"]["path"] = "elsewhere/text.onnx";
  j["text"]["variants"]["fp32"]["bytes"] = 123;
  EXPECT_EQ(fingerprint_of(j), fp);
  // Without fp32 the next most precise file stands in.
  j = base;
  j["text"]["variants"].erase("fp32");
  std::string fp16_only = fingerprint_of(j);
  EXPECT_NE(fp16_only, fp);
  j["text"]["variants"]["fp16"]["sha256"] = std::string(64, '7');
  EXPECT_NE(fingerprint_of(j), fp16_only);
}

TEST(ModelFingerprint, NeedsTheHashOfEveryFileItCovers) {
  auto m = clip::parse_model_manifest(vitb32_manifest_text());  // tokenizer files without sha256
  ASSERT_TRUE(m.ok()) << m.message();
  auto fp = clip::compute_model_fingerprint(*m);
  ASSERT_FALSE(fp.ok());
  EXPECT_EQ(fp.message(), "model fingerprint: onnx/text_model.onnx has no sha256 in the manifest");
}

// models/model_fingerprint.py is the same definition for Python writers.
TEST(ModelFingerprint, AgreesWithThePythonTwin) {
  std::string path = testing::TempDir() + "fingerprint_twin.json";
  json j = vitb32_complete_json();
  j["image"]["mean"] = {0.1, 0.2, 0.30000001};
  {
    std::ofstream(path) << j.dump();
  }
  std::string cmd = "/usr/bin/python3 " + std::string(CLIPSEARCH_SOURCE_DIR) + "/models/model_fingerprint.py " + path;
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  char buf[128] = {};
  size_t n = fread(buf, 1, sizeof buf - 1, p);
  int status = pclose(p);
  if (status != 0) GTEST_SKIP() << "python3 not available to run " << cmd;
  std::string python(buf, n);
  while (!python.empty() && (python.back() == '\n' || python.back() == '\r')) python.pop_back();
  EXPECT_EQ(python, fingerprint_of(j));
}
