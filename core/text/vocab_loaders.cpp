// Parsers for the three tokenizer file formats; each only reads its format
// into a BpeVocabulary, BpeModel::create checks the result.
#include <algorithm>
#include <array>
#include <limits>

#include <nlohmann/json.hpp>

#include "core/text/bpe.h"
#include "core/text/bpe_vocabulary.h"
#include "core/text/unicode.h"

namespace clip {
namespace {

using nlohmann::json;

// OpenAI's tokenizer reads merges[1 : 49152 - 256 - 2 + 1]: 48894 merges,
// which with 512 byte symbols and 2 special tokens make 49408 tokens.
constexpr size_t kClipMergeCount = 49152 - 256 - 2;

// Splits text into lines ('\n', optional '\r'); a final newline does not start
// another line.
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

// "left right": exactly two non-empty symbols separated by one space.
Result<std::pair<std::string, std::string>> parse_merge(std::string_view line, const std::string& where) {
  const size_t space = line.find(' ');
  if (space == std::string_view::npos || space == 0 || space + 1 == line.size() ||
      line.find(' ', space + 1) != std::string_view::npos) {
    std::string shown(line.substr(0, 60));
    return make_error(where + ": expected a merge \"left right\", got \"" + shown + "\"");
  }
  return std::make_pair(std::string(line.substr(0, space)), std::string(line.substr(space + 1)));
}

// Keeps the position and text of nlohmann's parse error (its DOM parser does
// not report them without exceptions, which the wasm build lacks).
struct JsonErrorCatcher {
  std::string message;
  bool null() { return true; }
  bool boolean(bool) { return true; }
  bool number_integer(json::number_integer_t) { return true; }
  bool number_unsigned(json::number_unsigned_t) { return true; }
  bool number_float(json::number_float_t, const json::string_t&) { return true; }
  bool string(json::string_t&) { return true; }
  bool binary(json::binary_t&) { return true; }
  bool start_object(std::size_t) { return true; }
  bool key(json::string_t&) { return true; }
  bool end_object() { return true; }
  bool start_array(std::size_t) { return true; }
  bool end_array() { return true; }
  bool parse_error(std::size_t, const std::string&, const json::exception& e) {
    message = e.what();
    return false;
  }
};

Result<json> parse_json(std::string_view text, const char* file) {
  json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (!j.is_discarded()) return j;
  JsonErrorCatcher catcher;
  json::sax_parse(text.begin(), text.end(), &catcher);
  return make_error(std::string(file) + ": not valid JSON: " + catcher.message);
}

Result<int32_t> json_id(const json& value, const std::string& where) {
  if (value.is_number_unsigned()) {
    const uint64_t id = value.get<uint64_t>();
    if (id <= static_cast<uint64_t>(std::numeric_limits<int32_t>::max())) return static_cast<int32_t>(id);
  }
  return make_error(where + ": expected a token id (integer in 0..2^31-1), got " +
                    value.dump().substr(0, 40));
}

// A vocab object: {"token": id, ...}.
Status read_vocab_object(const json& vocab, const std::string& where, BpeVocabulary& out) {
  if (!vocab.is_object()) return make_error(where + ": expected an object of token -> id");
  out.ids.reserve(vocab.size());
  for (const auto& [token, value] : vocab.items()) {
    Result<int32_t> id = json_id(value, where + "[\"" + token.substr(0, 40) + "\"]");
    CLIP_TRY(id);
    out.ids[token] = *id;
  }
  return ok_status();
}

const json* member(const json& object, const char* name) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(name);
  return it == object.end() ? nullptr : &*it;
}

}  // namespace

Result<BpeVocabulary> parse_bpe_simple_vocab(std::string_view text) {
  const char* file = "bpe_simple_vocab";
  std::vector<std::string_view> lines = split_lines(text);
  if (lines.empty() || lines[0].rfind("#version", 0) != 0)
    return make_error(std::string(file) + " line 1: expected a \"#version: ...\" header");

  BpeVocabulary vocab;
  const size_t merge_count = std::min(lines.size() - 1, kClipMergeCount);
  vocab.merges.reserve(merge_count);
  for (size_t i = 1; i <= merge_count; ++i) {
    auto merge = parse_merge(lines[i], std::string(file) + " line " + std::to_string(i + 1));
    CLIP_TRY(merge);
    vocab.merges.push_back(std::move(*merge));
  }

  // The vocab order of OpenAI's encoder: byte symbols by code point (printable
  // bytes first), then each with </w>, then merges, then the special tokens.
  std::array<char32_t, 256> alphabet;
  for (int b = 0; b < 256; ++b) alphabet[b] = byte_to_unicode(static_cast<uint8_t>(b));
  std::sort(alphabet.begin(), alphabet.end());
  std::vector<std::string> tokens;
  tokens.reserve(512 + merge_count + 2);
  for (char32_t cp : alphabet) tokens.push_back(unicode::encode_utf8(std::u32string(1, cp)));
  for (int i = 0; i < 256; ++i) tokens.push_back(tokens[i] + std::string(kEndOfWordSuffix));
  for (const auto& [left, right] : vocab.merges) tokens.push_back(left + right);
  tokens.emplace_back(kStartOfTextToken);
  tokens.emplace_back(kEndOfTextToken);
  vocab.ids.reserve(tokens.size());
  for (size_t id = 0; id < tokens.size(); ++id)
    vocab.ids[tokens[id]] = static_cast<int32_t>(id);  // a repeat keeps its later id, as a dict does
  return vocab;
}

Result<BpeVocabulary> parse_vocab_json_and_merges(std::string_view vocab_json, std::string_view merges_txt) {
  Result<json> root = parse_json(vocab_json, "vocab.json");
  CLIP_TRY(root);
  BpeVocabulary vocab;
  CLIP_TRY(read_vocab_object(*root, "vocab.json", vocab));

  std::vector<std::string_view> lines = split_lines(merges_txt);
  vocab.merges.reserve(lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind("#version", 0) == 0) continue;
    auto merge = parse_merge(lines[i], "merges.txt line " + std::to_string(i + 1));
    CLIP_TRY(merge);
    vocab.merges.push_back(std::move(*merge));
  }
  return vocab;
}

Result<BpeVocabulary> parse_tokenizer_json(std::string_view json_text) {
  Result<json> root = parse_json(json_text, "tokenizer.json");
  CLIP_TRY(root);
  const json* model = member(*root, "model");
  if (!model || !model->is_object()) return make_error("tokenizer.json: no \"model\" object");

  const json* type = member(*model, "type");
  if (type && !(type->is_string() && type->get_ref<const std::string&>() == "BPE"))
    return make_error("tokenizer.json: model.type is " + type->dump().substr(0, 40) + ", expected \"BPE\"");
  const json* suffix = member(*model, "end_of_word_suffix");
  if (!suffix || !suffix->is_string() || suffix->get_ref<const std::string&>() != kEndOfWordSuffix)
    return make_error("tokenizer.json: model.end_of_word_suffix is " +
                      (suffix ? suffix->dump().substr(0, 40) : std::string("missing")) +
                      ", expected \"</w>\" (not a CLIP tokenizer)");

  BpeVocabulary vocab;
  const json* model_vocab = member(*model, "vocab");
  if (!model_vocab) return make_error("tokenizer.json: no model.vocab");
  CLIP_TRY(read_vocab_object(*model_vocab, "tokenizer.json: model.vocab", vocab));

  const json* merges = member(*model, "merges");
  if (!merges || !merges->is_array()) return make_error("tokenizer.json: model.merges is not an array");
  vocab.merges.reserve(merges->size());
  for (size_t i = 0; i < merges->size(); ++i) {
    const json& m = (*merges)[i];
    const std::string where = "tokenizer.json: model.merges[" + std::to_string(i) + "]";
    if (m.is_string()) {  // "left right" (tokenizers < 0.20)
      auto merge = parse_merge(m.get_ref<const std::string&>(), where);
      CLIP_TRY(merge);
      vocab.merges.push_back(std::move(*merge));
    } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
      vocab.merges.emplace_back(m[0].get<std::string>(), m[1].get<std::string>());
    } else {
      return make_error(where + ": expected \"left right\" or [\"left\", \"right\"], got " +
                        m.dump().substr(0, 60));
    }
  }

  // Special tokens live in added_tokens; their ids win over model.vocab's.
  if (const json* added = member(*root, "added_tokens")) {
    if (!added->is_array()) return make_error("tokenizer.json: added_tokens is not an array");
    for (size_t i = 0; i < added->size(); ++i) {
      const std::string where = "tokenizer.json: added_tokens[" + std::to_string(i) + "]";
      const json* content = member((*added)[i], "content");
      const json* id = member((*added)[i], "id");
      if (!content || !content->is_string() || !id)
        return make_error(where + ": expected an object with \"id\" and \"content\"");
      Result<int32_t> value = json_id(*id, where + ".id");
      CLIP_TRY(value);
      vocab.ids[content->get<std::string>()] = *value;
    }
  }
  return vocab;
}

}  // namespace clip
