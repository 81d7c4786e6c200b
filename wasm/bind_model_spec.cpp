// The page's half of ModelSpec (core/model/model_spec.h): the tokenizer a
// text tower uses, the exact ids tensor a text becomes, the check of a
// graph's real inputs and outputs against model.json, the pixel input. The
// page decides none of these itself; the CLI takes the same calls natively.
#include <emscripten/bind.h>

#include <memory>

#include "core/model/model_spec.h"
#include "wasm/js_convert.h"
#include "wasm/tower_tokenizer.h"

namespace clipwasm {
namespace {

using clip::GraphPort;
using clip::GraphSignature;
using clip::ModelSpec;
using clip::TextTower;

clip::Result<ModelSpec> spec_of(const std::string& model_json, const char* call) {
  auto spec = ModelSpec::parse(model_json);
  if (!spec) return clip::make_error(std::string(call) + ": " + spec.message());
  return spec;
}

// A text tower as the page names it: "text" (or "") the primary one,
// "text:LANG" or "LANG" another language's.
clip::Result<const TextTower*> tower_of(const ModelSpec& spec, const std::string& which) {
  if (which.empty() || which == "text") return spec.text_tower("");
  return spec.text_tower(which.rfind("text:", 0) == 0 ? which.substr(5) : which);
}

std::vector<std::string> strings_from_js(const val& a) {
  std::vector<std::string> out;
  const size_t n = count_from_js(a["length"]);
  for (size_t i = 0; i < n; ++i) out.push_back(a[i].as<std::string>());
  return out;
}

// ORT Web's session.inputMetadata / outputMetadata entries: { name, type,
// shape } with symbolic dimensions as strings.
std::vector<GraphPort> ports_from_js(const val& list) {
  std::vector<GraphPort> out;
  const size_t n = count_from_js(list["length"]);
  for (size_t i = 0; i < n; ++i) {
    const val p = list[i];
    GraphPort port;
    port.name = p["name"].as<std::string>();
    if (p["type"].isString()) port.type = clip::tensor_type_from_name(p["type"].as<std::string>());
    if (p["shape"].isArray()) {
      const size_t rank = count_from_js(p["shape"]["length"]);
      for (size_t d = 0; d < rank; ++d) {
        const val dim = p["shape"][d];
        port.shape.push_back(dim.isNumber() && dim.as<double>() > 0 ? int64_t(dim.as<double>()) : -1);
      }
    }
    out.push_back(std::move(port));
  }
  return out;
}

GraphSignature signature_from_js(const val& signature) {
  return GraphSignature{ports_from_js(signature["inputs"]), ports_from_js(signature["outputs"])};
}

val tower_tokenizer(const std::string& model_json, const std::string& language, const val& file_texts) {
  auto spec = spec_of(model_json, "towerTokenizer");
  if (!spec) return js_error(spec.message());
  auto tower = tower_of(*spec, language);
  if (!tower) return js_error(tower.message());
  auto tok = spec->make_tokenizer(**tower, strings_from_js(file_texts));
  if (!tok) return js_error(tok.message());
  return val(TowerTokenizer(std::move(*tok), (*tower)->tokenizer.context_length));
}

// The graph's real ports against model.json: undefined, or a ClipError that
// names both (the CLI prints the same words).
val check_model_graph(const std::string& model_json, const std::string& encoder, const val& signature,
                      const std::string& file) {
  auto spec = spec_of(model_json, "checkModelGraph");
  if (!spec) return js_error(spec.message());
  const GraphSignature g = signature_from_js(signature);
  if (encoder == "vision") {
    clip::Status s = spec->check_vision_graph(g, file);
    return s ? val::undefined() : js_error(s.message());
  }
  auto tower = tower_of(*spec, encoder);
  if (!tower) return js_error(tower.message());
  clip::Status s = spec->check_text_graph(**tower, g, file);
  return s ? val::undefined() : js_error(s.message());
}

// One text's feeds: [{ name, type, data: Int32Array, shape }], ids first,
// then the attention mask when the graph takes one. `type` is the graph's
// ("int64" or "int32"): the caller builds the tensor in it.
val text_feeds(const std::string& model_json, const std::string& language, const val& ids, const val& signature) {
  auto spec = spec_of(model_json, "textFeeds");
  if (!spec) return js_error(spec.message());
  auto tower = tower_of(*spec, language);
  if (!tower) return js_error(tower.message());
  const GraphSignature g = signature_from_js(signature);
  std::vector<int32_t> row = emscripten::convertJSArrayToNumberVector<int32_t>(ids);
  auto batches = spec->text_batches(**tower, {row}, g, 1);
  if (!batches) return js_error(batches.message());
  const clip::TextBatch& b = batches->front();
  val feeds = val::array();
  const auto& names = (*tower)->encoder.input_names;
  for (size_t i = 0; i < names.size(); ++i) {
    const std::vector<int64_t>& values = i == 0 ? b.ids : b.mask;
    std::vector<int32_t> narrow(values.begin(), values.end());
    const char* type = "int64";
    for (const GraphPort& p : g.inputs)
      if (p.name == names[i] && p.type == clip::TensorType::int32) type = "int32";
    val f = val::object();
    f.set("name", names[i]);
    f.set("type", std::string(type));
    f.set("data", copy_to_js(narrow));
    val shape = val::array();
    shape.call<void>("push", double(b.batch));
    shape.call<void>("push", double(b.sequence));
    f.set("shape", shape);
    feeds.call<void>("push", f);
  }
  return feeds;
}

}  // namespace

EMSCRIPTEN_BINDINGS(clipsearch_model_spec) {
  using namespace emscripten;
  class_<TowerTokenizer>("TowerTokenizer")
      .function("encode", &TowerTokenizer::encode)
      .function("encode", &TowerTokenizer::encode_with_context)
      .property("startId", &TowerTokenizer::start_id)
      .property("endId", &TowerTokenizer::end_id)
      .property("vocabSize", &TowerTokenizer::vocab_size);
  function("towerTokenizer", &tower_tokenizer);
  function("checkModelGraph", &check_model_graph);
  function("textFeeds", &text_feeds);
}

}  // namespace clipwasm
