// Typed, exception-free reads of JSON fields with error messages that name
// the file and the field ("model.json: image.size must be a non-negative
// integer"). Shared by the model manifest and the model catalog readers.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/model_manifest.h"
#include "core/util/result.h"

namespace clip::model_json {

// "<file>: <field> <what>", or "<file>: <what>" for an empty field.
Error error(const std::string& file, const std::string& field, const std::string& what);
inline Error error(const std::string& field, const std::string& what) { return error("model.json", field, what); }

// Parses without exceptions; a syntax error names its byte offset.
Result<nlohmann::json> parse(std::string_view text, const std::string& file);

// Reads members of one JSON object; `path` is that object's field name
// ("" for the top level, "text", "tokenizer.files[1]").
class Fields {
 public:
  Fields(const nlohmann::json& v, std::string path, std::string file = "model.json")
      : v_(v), path_(std::move(path)), file_(std::move(file)) {}

  Status object() const;
  // *out = the member, or nullptr when it is absent and not required.
  Status member(const char* key, bool required, const nlohmann::json** out) const;
  Status string(const char* key, std::string* out, bool required) const;
  Status u64(const char* key, uint64_t* out, bool required) const;
  Status number(const char* key, double* out, bool required) const;  // finite
  Status boolean(const char* key, bool* out, bool required) const;
  Status string_list(const char* key, std::vector<std::string>* out, bool required) const;
  Status float3(const char* key, float out[3]) const;  // required, exactly 3 finite numbers

  std::string name(const char* key) const { return path_.empty() ? key : path_ + "." + key; }
  Error fail(const char* key, const std::string& what) const { return error(file_, name(key), what); }

 private:
  const nlohmann::json& v_;
  std::string path_;
  std::string file_;
};

// A file entry: {"path", "sha256", "bytes"} (hash lower-cased; both
// optional), or a bare path string (hash and size unknown).
Result<ModelFile> read_model_file(const nlohmann::json& v, const std::string& field,
                                  const std::string& file = "model.json");

}  // namespace clip::model_json
