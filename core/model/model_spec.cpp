#include "core/model/model_spec.h"

#include <algorithm>

#include "core/model/tokenizer_factory.h"

namespace clip {

Result<ModelSpec> ModelSpec::parse(std::string_view json_text) {
  auto m = parse_model_manifest(json_text);
  CLIP_TRY(m);
  return ModelSpec(std::move(*m));
}

Result<ModelSpec> ModelSpec::from_manifest(ModelManifest manifest) {
  CLIP_TRY(validate_model_manifest(manifest));
  return ModelSpec(std::move(manifest));
}

std::vector<std::string> ModelSpec::languages() const {
  std::vector<std::string> out;
  for (const TextTower& t : m_.text_towers) out.push_back(t.language);
  return out;
}

Result<const TextTower*> ModelSpec::text_tower(std::string_view language) const {
  if (language.empty()) return &m_.text();
  for (const TextTower& t : m_.text_towers)
    if (t.language == language) return &t;
  std::string have;
  for (const TextTower& t : m_.text_towers) have += (have.empty() ? "" : ", ") + t.language;
  return make_error("model " + m_.name + " has no text tower for language \"" + std::string(language) + "\" (it has " +
                    have + ")");
}

Result<std::unique_ptr<TextTokenizer>> ModelSpec::make_tokenizer(const TextTower& tower,
                                                                 const std::vector<std::string>& file_texts) const {
  auto tok = clip::make_tokenizer(tower.tokenizer.kind, file_texts);
  if (!tok) return make_error("model " + m_.name + ", " + tower.language + " tokenizer: " + tok.message());
  // Pooling at argmax(input_ids) finds the end token only if no padding
  // outranks it.
  if (tower.input.length == TextLength::fixed && tower.input.pooling == TextPooling::argmax &&
      tower.input.pad_id > (*tok)->end_id())
    return make_error("model " + m_.name + ", " + tower.language + " text tower: pad_id " +
                      std::to_string(tower.input.pad_id) + " is above the end token " +
                      std::to_string((*tok)->end_id()) + ", so pooling at argmax(input_ids) would pick the padding");
  return tok;
}

Result<EncoderChoice> ModelSpec::choose_variant(const EncoderSpec& encoder, std::string_view backend,
                                                bool half_precision) const {
  std::vector<std::string> order;
  auto preferred = m_.preferred_precision.find(std::string(backend));
  if (preferred != m_.preferred_precision.end()) order.push_back(preferred->second);
  order.insert(order.end(), {"fp32", "fp16", "int8"});
  if (!half_precision) {  // fp16 last
    order.erase(std::remove(order.begin(), order.end(), "fp16"), order.end());
    order.push_back("fp16");
  }
  for (const std::string& p : order)
    if (encoder.variants.count(p)) return variant(encoder, p);
  return make_error("model " + m_.name + ": the encoder lists no file");
}

Result<EncoderChoice> ModelSpec::variant(const EncoderSpec& encoder, std::string_view precision) const {
  auto it = encoder.variants.find(std::string(precision));
  if (it == encoder.variants.end()) {
    std::string have;
    for (const auto& [p, file] : encoder.variants) have += (have.empty() ? "" : ", ") + p;
    return make_error("model " + m_.name + ": the encoder has no " + std::string(precision) + " file (it has " +
                      (have.empty() ? "none" : have) + ")");
  }
  EncoderChoice c;
  c.precision = it->first;
  c.file = it->second;
  c.max_rows = c.precision == "int8" ? 1 : 0;
  return c;
}

ModelIdentity ModelSpec::identity() const { return model_identity(m_); }

ModelIdentity model_identity(const ModelManifest& m) {
  return ModelIdentity{m.name, m.fingerprint, m.embedding_dim, m.accepted_fingerprints};
}

std::map<std::string, std::string> default_preferred_precision(const ModelManifest& m) {
  struct Rule {
    const char* backend;
    const char* order[3];  // first one every encoder has wins
  };
  static const Rule kRules[] = {
      {"webgpu", {"fp16", "fp32", "int8"}},
      {"cuda", {"fp16", "fp32", "int8"}},
      {"wasm", {"int8", "fp32", "fp16"}},
      {"cpu", {"fp32", "int8", "fp16"}},
  };
  auto everyone_has = [&](const char* p) {
    if (!m.vision.variants.count(p)) return false;
    for (const TextTower& t : m.text_towers)
      if (!t.encoder.variants.count(p)) return false;
    return true;
  };
  std::map<std::string, std::string> out;
  for (const Rule& rule : kRules)
    for (const char* p : rule.order)
      if (everyone_has(p)) {
        out[rule.backend] = p;
        break;
      }
  return out;
}

}  // namespace clip
