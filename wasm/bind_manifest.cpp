// model.json and an index's manifest.json as plain JS objects, parsed and
// validated by core's one parser (the CLI uses the same).
#include <emscripten/bind.h>

#include "core/index/index.h"
#include "core/index/index_manifest.h"
#include "core/model/model_manifest.h"
#include "core/model/model_spec.h"
#include "wasm/js_convert.h"

namespace clipwasm {
namespace {

val strings_to_js(const std::vector<std::string>& v) {
  val a = val::array();
  for (const std::string& s : v) a.call<void>("push", s);
  return a;
}

val model_file_to_js(const clip::ModelFile& f) {
  val o = val::object();
  o.set("path", f.path);
  o.set("sha256", f.sha256);
  o.set("bytes", double(f.bytes));
  return o;
}

val encoder_to_js(const clip::EncoderSpec& e) {
  val variants = val::object();
  for (const auto& [precision, file] : e.variants) variants.set(precision, model_file_to_js(file));
  val o = val::object();
  o.set("variants", variants);
  o.set("inputNames", strings_to_js(e.input_names));
  o.set("outputName", e.output_name);
  return o;
}

val parse_model_manifest(const std::string& text) {
  clip::Result<clip::ModelManifest> r = clip::parse_model_manifest(text);
  if (!r) return js_error(r.message());
  const clip::ModelManifest& m = *r;
  val o = val::object();
  o.set("format", m.format);
  o.set("name", m.name);
  o.set("fingerprint", m.fingerprint);
  o.set("embeddingDim", m.embedding_dim);
  o.set("logitScale", m.logit_scale);
  o.set("text", encoder_to_js(m.text().encoder));
  val accepted = val::array();
  for (const std::string& fp : m.accepted_fingerprints) accepted.call<void>("push", fp);
  o.set("acceptedFingerprints", accepted);
  o.set("vision", encoder_to_js(m.vision));
  o.set("tokenizerKind", m.text().tokenizer.kind);
  val tokenizer_files = val::array();
  for (const clip::ModelFile& f : m.text().tokenizer.files) tokenizer_files.call<void>("push", model_file_to_js(f));
  o.set("tokenizerFiles", tokenizer_files);
  o.set("contextLength", m.text().tokenizer.context_length);
  o.set("textLanguage", m.text().language);
  // The other languages' text towers, each with its encoder and tokenizer.
  val towers = val::array();
  for (size_t i = 1; i < m.text_towers.size(); ++i) {
    const clip::TextTower& t = m.text_towers[i];
    val tower = val::object();
    tower.set("language", t.language);
    tower.set("text", encoder_to_js(t.encoder));
    tower.set("tokenizerKind", t.tokenizer.kind);
    val files = val::array();
    for (const clip::ModelFile& f : t.tokenizer.files) files.call<void>("push", model_file_to_js(f));
    tower.set("tokenizerFiles", files);
    tower.set("contextLength", t.tokenizer.context_length);
    towers.call<void>("push", tower);
  }
  o.set("textTowers", towers);
  // Sorted; empty when the model does not say (docs/MATCH.md, unknown words).
  o.set("trainedTokenIds", copy_to_js(m.text().trained_token_ids));
  // The whole preprocessing config, filter included, ready to hand to
  // preprocessImage / preprocessRgba.
  o.set("image", preprocess_config_to_js(m.image));
  o.set("imageResize", std::string(clip::resize_rule_resize_name(m.image.resize)));
  o.set("imageResample", std::string(clip::resample_filter_name(m.image.resample)));
  o.set("imageCrop", std::string(clip::resize_rule_crop_name(m.image.resize)));
  val preferred = val::object();
  for (const auto& [backend, precision] : m.preferred_precision) preferred.set(backend, precision);
  o.set("preferredPrecision", preferred);
  val agreement = val::object();
  for (const auto& [precision, cosine] : m.agreement) agreement.set(precision, cosine);
  o.set("agreement", agreement);
  val source = val::object();
  source.set("catalog", m.source.catalog);
  source.set("baseUrl", m.source.base_url);
  source.set("revision", m.source.revision);
  source.set("fetchedUtc", m.source.fetched_utc);
  o.set("source", source);
  return o;
}

// options: { halfPrecision } (false: the device has no float16 arithmetic).
val pick_variant_with(const std::string& text, const std::string& encoder, const std::string& backend,
                      const val& options) {
  clip::Result<clip::ModelSpec> r = clip::ModelSpec::parse(text);
  if (!r) return js_error(r.message());
  // "text", "vision", or "text:LANG" for another language's text tower.
  const clip::EncoderSpec* spec = nullptr;
  if (encoder == "text") spec = &r->manifest().text().encoder;
  if (encoder == "vision") spec = &r->manifest().vision;
  if (encoder.rfind("text:", 0) == 0) {
    auto tower = r->text_tower(encoder.substr(5));
    if (!tower) return js_error(tower.message());
    spec = &(*tower)->encoder;
  }
  if (!spec) return js_error("pickVariant: encoder must be \"text\", \"text:LANG\" or \"vision\", got \"" + encoder + "\"");
  const bool half = options.isUndefined() || options["halfPrecision"].isUndefined() ||
                    options["halfPrecision"].as<bool>();
  auto choice = r->choose_variant(*spec, backend, half);
  if (!choice) return js_error(choice.message());
  val o = model_file_to_js(choice->file);
  o.set("precision", choice->precision);
  o.set("maxRows", double(choice->max_rows));
  return o;
}

val pick_variant(const std::string& text, const std::string& encoder, const std::string& backend) {
  return pick_variant_with(text, encoder, backend, val::undefined());
}

// Can the model query the index? The core's one check (Index::check_model):
// the model's fingerprint or one it accepts (indexes from before fingerprint
// format 2), and its dim. Returns undefined; throws ClipError if not.
val check_model_for_index(const std::string& model_json, const std::string& index_manifest_json,
                          const std::string& model_where) {
  clip::Result<clip::ModelSpec> spec = clip::ModelSpec::parse(model_json);
  if (!spec) return js_error(spec.message());
  clip::Result<clip::Index> index = clip::Index::from_manifest_json(index_manifest_json);
  if (!index) return js_error(index.message());
  clip::Status fits = index->check_model(spec->identity(), model_where);
  if (!fits) return js_error(fits.message());
  return val::undefined();
}

val parse_index_manifest(const std::string& text) {
  clip::Result<clip::IndexManifest> r = clip::parse_index_manifest(text);
  if (!r) return js_error(r.message());
  return index_manifest_to_js(*r);
}

// manifest.json for shard files at hand (tests, benchmarks): the model
// ({name, fingerprint, dim, location}) and [{file, bytes}], described by the
// core as the indexer describes what it writes.
val make_index_manifest(const val& model, const val& files) {
  clip::IndexManifest m;
  read_string(model, "name", &m.model_name);
  read_string(model, "fingerprint", &m.model_fingerprint);
  read_string(model, "location", &m.model_location);
  m.dim = uint32_t(count_from_js(model["dim"]));
  const size_t n = files["length"].as<size_t>();
  for (size_t i = 0; i < n; ++i) {
    std::string file;
    read_string(files[i], "file", &file);
    m.shards.push_back(clip::describe_shard(file, bytes_from_js(files[i]["bytes"])));
    m.count += m.shards.back().count;
  }
  const std::string text = clip::serialize_index_manifest(m);
  clip::Result<clip::IndexManifest> check = clip::parse_index_manifest(text);
  if (!check) return js_error("makeIndexManifest: " + check.message());
  return val(text);
}

}  // namespace

EMSCRIPTEN_BINDINGS(clipsearch_manifest) {
  using emscripten::function;
  function("parseModelManifest", &parse_model_manifest);
  function("pickVariant", &pick_variant);
  function("pickVariant", &pick_variant_with);
  function("checkModelForIndex", &check_model_for_index);
  function("parseIndexManifest", &parse_index_manifest);
  function("makeIndexManifest", &make_index_manifest);
}

}  // namespace clipwasm
