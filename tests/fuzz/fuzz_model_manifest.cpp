// parse_model_manifest on hostile JSON (the page loads model.json from any
// URL). A manifest that parses must validate, round-trip through
// serialize_model_manifest unchanged, and only name paths inside its folder.
#include <string_view>

#include "core/model/model_manifest.h"
#include "core/model/model_spec.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

void check_paths(const clip::EncoderSpec& spec) {
  for (const auto& [precision, file] : spec.variants)
    FUZZ_CHECK(clip::check_model_path(file.path).ok(), "variant %s path \"%s\" escapes the model folder",
               precision.c_str(), file.path.c_str());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)clip::check_model_path(text);
  clip::Result<clip::ModelManifest> m = clip::parse_model_manifest(text);
  if (!m) {
    FUZZ_CHECK(m.message().rfind("model.json", 0) == 0, "error does not name the file: %s", m.message().c_str());
    return 0;
  }
  FUZZ_CHECK(clip::validate_model_manifest(*m).ok(), "parsed manifest fails validation");
  FUZZ_CHECK(!m->text_towers.empty(), "parsed manifest has no text tower");
  for (const clip::TextTower& t : m->text_towers) {
    check_paths(t.encoder);
    for (const clip::ModelFile& f : t.tokenizer.files)
      FUZZ_CHECK(clip::check_model_path(f.path).ok(), "tokenizer path \"%s\" escapes the model folder", f.path.c_str());
  }
  check_paths(m->vision);
  auto spec = clip::ModelSpec::from_manifest(*m);
  FUZZ_CHECK(spec.ok(), "a parsed manifest makes no ModelSpec: %s", spec.ok() ? "" : spec.message().c_str());
  for (const char* backend : {"webgpu", "wasm", "cpu", "cuda"}) {
    for (const clip::TextTower& t : m->text_towers) (void)spec->choose_variant(t.encoder, backend);
    (void)spec->choose_variant(m->vision, backend);
  }
  (void)clip::compute_model_fingerprint(*m);
  (void)clip::compute_legacy_fingerprint_v1(*m);

  const std::string json = clip::serialize_model_manifest(*m);
  clip::Result<clip::ModelManifest> back = clip::parse_model_manifest(json);
  FUZZ_CHECK(back.ok(), "serialised manifest does not parse: %s\n%s", back.message().c_str(), json.c_str());
  FUZZ_CHECK(clip::serialize_model_manifest(*back) == json, "round trip changed the manifest:\n%s", json.c_str());
  return 0;
}
