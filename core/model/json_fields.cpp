#include "core/model/json_fields.h"

#include <cctype>
#include <cmath>

namespace clip::model_json {
namespace {

using json = nlohmann::json;

// Finds where a document stops being JSON: json::parse(..., false) only says
// that it failed, the SAX interface also says where.
struct ErrorPosition : nlohmann::json_sax<json> {
  size_t position = 0;
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t pos, const std::string&, const nlohmann::detail::exception&) override {
    position = pos;
    return false;
  }
};

}  // namespace

Error error(const std::string& file, const std::string& field, const std::string& what) {
  return make_error(file + ": " + (field.empty() ? what : field + " " + what));
}

Result<json> parse(std::string_view text, const std::string& file) {
  json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (!j.is_discarded()) return j;
  ErrorPosition where;
  json::sax_parse(text.begin(), text.end(), &where, json::input_format_t::json, /*strict=*/true);
  // nlohmann counts the offending character as read: report its 0-based offset.
  size_t offset = where.position > 0 ? where.position - 1 : 0;
  return make_error(file + ": not valid JSON (syntax error at byte " + std::to_string(offset) + ")");
}

Status Fields::object() const {
  if (!v_.is_object()) return error(file_, path_, "must be a JSON object");
  return ok_status();
}

Status Fields::member(const char* key, bool required, const json** out) const {
  *out = nullptr;
  if (!v_.is_object()) return error(file_, path_, "must be a JSON object");
  auto it = v_.find(key);
  if (it == v_.end()) {
    if (required) return fail(key, "is missing");
    return ok_status();
  }
  *out = &*it;
  return ok_status();
}

Status Fields::string(const char* key, std::string* out, bool required) const {
  const json* v = nullptr;
  CLIP_TRY(member(key, required, &v));
  if (!v) return ok_status();
  if (!v->is_string()) return fail(key, "must be a string");
  *out = v->get<std::string>();
  return ok_status();
}

Status Fields::u64(const char* key, uint64_t* out, bool required) const {
  const json* v = nullptr;
  CLIP_TRY(member(key, required, &v));
  if (!v) return ok_status();
  if (!v->is_number_unsigned()) return fail(key, "must be a non-negative integer");
  *out = v->get<uint64_t>();
  return ok_status();
}

Status Fields::number(const char* key, double* out, bool required) const {
  const json* v = nullptr;
  CLIP_TRY(member(key, required, &v));
  if (!v) return ok_status();
  if (!v->is_number() || !std::isfinite(v->get<double>())) return fail(key, "must be a finite number");
  *out = v->get<double>();
  return ok_status();
}

Status Fields::boolean(const char* key, bool* out, bool required) const {
  const json* v = nullptr;
  CLIP_TRY(member(key, required, &v));
  if (!v) return ok_status();
  if (!v->is_boolean()) return fail(key, "must be true or false");
  *out = v->get<bool>();
  return ok_status();
}

Status Fields::string_list(const char* key, std::vector<std::string>* out, bool required) const {
  const json* v = nullptr;
  CLIP_TRY(member(key, required, &v));
  if (!v) return ok_status();
  if (!v->is_array()) return fail(key, "must be an array of strings");
  out->clear();
  for (const auto& item : *v) {
    if (!item.is_string()) return fail(key, "must be an array of strings");
    out->push_back(item.get<std::string>());
  }
  return ok_status();
}

Status Fields::float3(const char* key, float out[3]) const {
  const json* v = nullptr;
  CLIP_TRY(member(key, true, &v));
  if (!v->is_array() || v->size() != 3) return fail(key, "must be an array of 3 numbers");
  for (size_t i = 0; i < 3; ++i) {
    const json& x = (*v)[i];
    if (!x.is_number() || !std::isfinite(x.get<double>()) || std::fabs(x.get<double>()) > 1e6)
      return fail(key, "must be an array of 3 finite numbers");
    out[i] = float(x.get<double>());
  }
  return ok_status();
}

Result<ModelFile> read_model_file(const json& v, const std::string& field, const std::string& file_name) {
  ModelFile file;
  if (v.is_string()) {  // a bare path: hash and size unknown
    file.path = v.get<std::string>();
    return file;
  }
  Fields f(v, field, file_name);
  CLIP_TRY(f.object());
  CLIP_TRY(f.string("path", &file.path, true));
  CLIP_TRY(f.string("sha256", &file.sha256, false));
  for (char& c : file.sha256) c = char(std::tolower(static_cast<unsigned char>(c)));
  CLIP_TRY(f.u64("bytes", &file.bytes, false));
  return file;
}

}  // namespace clip::model_json
