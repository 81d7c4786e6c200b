// Shared by the test_model sources: reading test data and small edits to a
// manifest's JSON text.
#pragma once
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The hand-written manifest of the real ViT-B/32 export (tests/data/model/).
inline std::string vitb32_manifest_text() {
  return read_text(std::string(CLIPSEARCH_TEST_DATA) + "/model/clip-vit-base-patch32.json");
}

// That manifest with every file hashed, so a fingerprint can be computed.
inline nlohmann::json vitb32_complete_json() {
  auto j = nlohmann::json::parse(vitb32_manifest_text());
  const char* fill = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  for (const char* enc : {"text", "vision"})
    for (auto& [precision, file] : j[enc]["variants"].items())
      if (file["sha256"] == "") file["sha256"] = std::string(fill, 63) + precision.back();
  j["tokenizer"]["files"] = {{{"path", "vocab.json"}, {"sha256", std::string(64, 'a')}, {"bytes", 862328}},
                             {{"path", "merges.txt"}, {"sha256", std::string(64, 'b')}, {"bytes", 524619}}};
  return j;
}
