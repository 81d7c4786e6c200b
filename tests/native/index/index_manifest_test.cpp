// manifest.json: a round trip keeps every field, and hostile or broken
// manifests give an error naming the field instead of a crash or a guess.
#include "core/index/index_manifest.h"

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>

namespace clip {
namespace {

IndexManifest sample() {
  IndexManifest m;
  m.tool_version = "0.1.0";
  m.model_name = "clip-vit-base-patch32";
  m.model_fingerprint = "sha256:0123abcd";
  m.model_location = "../models/clip-vit-base-patch32";
  m.dim = 512;
  m.binary_codes = true;
  m.created_utc = "2024-05-01T12:00:00Z";
  m.shards = {{"shard-00000.bin", 1234567, std::string(64, 'a'), 2000},
              {"shard-00001.bin", 99, std::string(64, '0'), 17}};
  m.count = 2017;
  return m;
}

TEST(IndexManifest, RoundTrip) {
  const IndexManifest m = sample();
  const std::string text = serialize_index_manifest(m);
  auto back = parse_index_manifest(text);
  ASSERT_TRUE(back) << back.message();
  EXPECT_EQ(back->version, 1u);
  EXPECT_EQ(back->tool_version, m.tool_version);
  EXPECT_EQ(back->model_name, m.model_name);
  EXPECT_EQ(back->model_fingerprint, m.model_fingerprint);
  EXPECT_EQ(back->model_location, m.model_location);
  EXPECT_EQ(back->dim, 512u);
  EXPECT_EQ(back->quantization, "int8");
  EXPECT_TRUE(back->binary_codes);
  EXPECT_EQ(back->count, 2017u);
  EXPECT_EQ(back->created_utc, m.created_utc);
  ASSERT_EQ(back->shards.size(), 2u);
  EXPECT_EQ(back->shards[0].file, "shard-00000.bin");
  EXPECT_EQ(back->shards[0].bytes, 1234567u);
  EXPECT_EQ(back->shards[0].sha256, std::string(64, 'a'));
  EXPECT_EQ(back->shards[1].count, 17u);
  EXPECT_EQ(serialize_index_manifest(*back), text) << "serialising is deterministic";
}

TEST(IndexManifest, EmptyIndex) {
  IndexManifest m = sample();
  m.shards.clear();
  m.count = 0;
  auto back = parse_index_manifest(serialize_index_manifest(m));
  ASSERT_TRUE(back) << back.message();
  EXPECT_TRUE(back->shards.empty());
}

TEST(IndexManifest, InvalidUtf8IsReplacedNotFatal) {
  IndexManifest m = sample();
  m.model_name = "bad\xff\xfe";
  auto back = parse_index_manifest(serialize_index_manifest(m));
  ASSERT_TRUE(back) << back.message();
  EXPECT_EQ(back->model_name.substr(0, 3), "bad");
}

// Applies `edit` to a valid manifest and expects an error mentioning `expect`.
void expect_refused(const std::function<void(nlohmann::json&)>& edit, const std::string& expect) {
  nlohmann::json j = nlohmann::json::parse(serialize_index_manifest(sample()));
  edit(j);
  auto r = parse_index_manifest(j.dump());
  ASSERT_FALSE(r) << "accepted: " << j.dump();
  EXPECT_NE(r.message().find(expect), std::string::npos) << r.message();
  EXPECT_EQ(r.message().rfind("manifest.json: ", 0), 0u) << r.message();
}

TEST(IndexManifest, WrongTypesAndMissingFields) {
  using J = nlohmann::json;
  expect_refused([](J& j) { j.erase("dim"); }, "\"dim\" is missing");
  expect_refused([](J& j) { j["dim"] = "512"; }, "\"dim\" must be a non-negative integer");
  expect_refused([](J& j) { j["dim"] = 512.5; }, "\"dim\" must be a non-negative integer");
  expect_refused([](J& j) { j["dim"] = -512; }, "\"dim\" must be a non-negative integer");
  expect_refused([](J& j) { j["dim"] = 12; }, "multiple of 8");
  expect_refused([](J& j) { j["dim"] = 1u << 20; }, "limit");
  expect_refused([](J& j) { j["version"] = 3; }, "version 3 is not supported");
  expect_refused([](J& j) { j["quantization"] = "fp16"; }, "quantization");
  expect_refused([](J& j) { j["binary_codes"] = 1; }, "true or false");
  expect_refused([](J& j) { j["model"] = "clip"; }, "\"model\" must be an object");
  expect_refused([](J& j) { j["model"].erase("fingerprint"); }, "model.\"fingerprint\" is missing");
  expect_refused([](J& j) { j["model"]["name"] = nullptr; }, "model.\"name\" must be a string");
  expect_refused([](J& j) { j["shards"] = J::object(); }, "\"shards\" must be an array");
  expect_refused([](J& j) { j["shards"][1] = 5; }, "shards[1] must be an object");
  expect_refused([](J& j) { j["shards"][0]["bytes"] = -1; }, "shards[0].\"bytes\"");
  expect_refused([](J& j) { j["shards"][0]["count"] = 1e30; }, "shards[0].\"count\"");
  expect_refused([](J& j) { j["shards"][0]["count"] = 1ull << 40; }, "limit");
  expect_refused([](J& j) { j["shards"][0]["sha256"] = "ABC"; }, "64 lowercase hex");
  expect_refused([](J& j) { j["shards"][1]["file"] = "shard-00000.bin"; }, "listed twice");
}

// Version 2 lists each shard's format and, for version-2 shards, their head.
IndexManifest sample_v2() {
  IndexManifest m = sample();
  m.shards[0].version = 2;
  m.shards[0].head_bytes = 140000;
  m.shards[0].head_sha256 = std::string(64, 'b');
  return m;
}

TEST(IndexManifest, Version2RoundTripsAndVersion1StaysVersion1) {
  const std::string text = serialize_index_manifest(sample_v2());
  auto back = parse_index_manifest(text);
  ASSERT_TRUE(back) << back.message();
  EXPECT_EQ(back->version, 2u);
  EXPECT_EQ(back->shards[0].version, 2u);
  EXPECT_EQ(back->shards[0].head_bytes, 140000u);
  EXPECT_EQ(back->shards[0].head_sha256, std::string(64, 'b'));
  EXPECT_EQ(back->shards[1].version, 1u);
  EXPECT_EQ(back->shards[1].head_bytes, 0u);
  // Only version-1 shards: the manifest stays readable by older builds.
  EXPECT_EQ(nlohmann::json::parse(serialize_index_manifest(sample()))["version"], 1);
  EXPECT_FALSE(nlohmann::json::parse(serialize_index_manifest(sample()))["shards"][0].contains("version"));
}

TEST(IndexManifest, Version2FieldsAreChecked) {
  using J = nlohmann::json;
  auto refused = [](const std::function<void(J&)>& edit, const std::string& expect) {
    J j = J::parse(serialize_index_manifest(sample_v2()));
    edit(j);
    auto r = parse_index_manifest(j.dump());
    ASSERT_FALSE(r) << "accepted: " << j.dump();
    EXPECT_NE(r.message().find(expect), std::string::npos) << r.message();
  };
  refused([](J& j) { j["shards"][1].erase("version"); }, "shards[1].\"version\" is missing");
  refused([](J& j) { j["shards"][1]["version"] = 3; }, "shards[1].version 3");
  refused([](J& j) { j["shards"][0].erase("head_bytes"); }, "shards[0].\"head_bytes\" is missing");
  refused([](J& j) { j["shards"][0]["head_bytes"] = 0; }, "head_bytes 0");
  refused([](J& j) { j["shards"][0]["head_bytes"] = 2000000; }, "head_bytes 2000000");
  refused([](J& j) { j["shards"][0]["head_sha256"] = "x"; }, "head_sha256 must be 64 lowercase hex");
}

TEST(IndexManifest, CountsMustAddUp) {
  using J = nlohmann::json;
  expect_refused([](J& j) { j["count"] = 2018; }, "\"count\" is 2018 but the shards hold 2017");
  expect_refused([](J& j) { j["count"] = 18446744073709551615ull; }, "but the shards hold");
}

TEST(IndexManifest, ShardFilesStayInsideTheIndex) {
  using J = nlohmann::json;
  for (const char* name : {"../secret.bin", "/etc/passwd", "a/b.bin", "..", ".hidden", "", "c:\\x.bin", "x\ny"})
    expect_refused([name](J& j) { j["shards"][0]["file"] = name; }, "plain file name");
}

TEST(IndexManifest, NotJsonOrNotAnObject) {
  for (const char* text : {"", "{", "[]", "null", "42", "{\"version\": 1,}", "\xff\xfe{}"}) {
    auto r = parse_index_manifest(text);
    EXPECT_FALSE(r) << text;
  }
  // Deep nesting must not exhaust the stack.
  std::string deep(100000, '[');
  deep += std::string(100000, ']');
  EXPECT_FALSE(parse_index_manifest(deep));
  std::string deep_obj = "{\"version\":1,\"x\":" + std::string(50000, '[') + std::string(50000, ']') + "}";
  EXPECT_FALSE(parse_index_manifest(deep_obj));
}

}  // namespace
}  // namespace clip
