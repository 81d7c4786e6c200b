#include "wasm/js_convert.h"

#include <algorithm>

namespace clipwasm {

std::vector<uint8_t> bytes_from_js(const val& array) {
  val view = array.instanceof(val::global("ArrayBuffer")) ? val::global("Uint8Array").new_(array) : array;
  std::vector<uint8_t> out(view["length"].as<size_t>());
  // No allocation between making the view and filling it, so it stays valid.
  val(emscripten::typed_memory_view(out.size(), out.data())).call<void>("set", view);
  return out;
}

std::vector<float> floats_from_js(const val& array) {
  std::vector<float> out(array["length"].as<size_t>());
  val(emscripten::typed_memory_view(out.size(), out.data())).call<void>("set", array);
  return out;
}

std::vector<uint32_t> uint32s_from_js(const val& array) {
  std::vector<uint32_t> out(array["length"].as<size_t>());
  val(emscripten::typed_memory_view(out.size(), out.data())).call<void>("set", array);
  return out;
}

val js_error(const std::string& message) {
  return val::module_property("ClipError").new_(message);
}

static void read_triplet(const val& obj, const char* key, float out[3]) {
  val a = obj[key];
  if (a.isUndefined() || a.isNull()) return;
  for (int i = 0; i < 3; ++i) out[i] = a[i].as<float>();
}

clip::Result<clip::PreprocessConfig> preprocess_config_from_js(const val& config) {
  clip::PreprocessConfig cfg;
  if (config.isUndefined() || config.isNull()) return cfg;
  if (!config["size"].isUndefined()) cfg.size = config["size"].as<int>();
  if (!config["resample"].isUndefined()) {
    clip::Result<clip::ResampleFilter> filter = clip::parse_resample_filter(config["resample"].as<std::string>());
    CLIP_TRY(filter);
    cfg.resample = *filter;
  }
  if (!config["resize"].isUndefined() || !config["crop"].isUndefined()) {
    const auto name = [&](const char* key, clip::ResizeRule fallback, const char* (*of)(clip::ResizeRule)) {
      return config[key].isUndefined() ? std::string(of(fallback)) : config[key].as<std::string>();
    };
    clip::Result<clip::ResizeRule> rule =
        clip::parse_resize_rule(name("resize", cfg.resize, clip::resize_rule_resize_name),
                                name("crop", cfg.resize, clip::resize_rule_crop_name));
    CLIP_TRY(rule);
    cfg.resize = *rule;
  }
  if (!config["maxPixels"].isUndefined()) {
    // Negative, NaN or huge doubles have no uint64 value: clamp them.
    double m = config["maxPixels"].as<double>();
    cfg.limits.max_pixels = m > 0 ? uint64_t(std::min(m, 1e18)) : 0;
  }
  if (!config["maxSide"].isUndefined()) cfg.limits.max_side = config["maxSide"].as<int>();
  read_triplet(config, "mean", cfg.mean);
  read_triplet(config, "std", cfg.std);
  return cfg;
}

val preprocess_config_to_js(const clip::PreprocessConfig& config) {
  val o = val::object();
  o.set("size", config.size);
  o.set("resize", std::string(clip::resize_rule_resize_name(config.resize)));
  o.set("crop", std::string(clip::resize_rule_crop_name(config.resize)));
  o.set("resample", std::string(clip::resample_filter_name(config.resample)));
  val mean = val::array(), std = val::array();
  for (int i = 0; i < 3; ++i) {
    mean.call<void>("push", config.mean[i]);
    std.call<void>("push", config.std[i]);
  }
  o.set("mean", mean);
  o.set("std", std);
  o.set("maxPixels", double(config.limits.max_pixels));
  o.set("maxSide", config.limits.max_side);
  return o;
}

size_t count_from_js(const val& number) {
  const double x = number.as<double>();
  return x > 0 ? size_t(std::min(x, 4294967295.0)) : 0;
}

bool read_string(const val& obj, const char* key, std::string* out) {
  val v = obj[key];
  if (v.isUndefined() || v.isNull()) return false;
  *out = v.as<std::string>();
  return true;
}

val index_manifest_to_js(const clip::IndexManifest& m) {
  val o = val::object();
  o.set("version", m.version);
  o.set("toolVersion", m.tool_version);
  o.set("modelName", m.model_name);
  o.set("modelFingerprint", m.model_fingerprint);
  o.set("modelLocation", m.model_location);
  o.set("dim", m.dim);
  o.set("quantization", m.quantization);
  o.set("binaryCodes", m.binary_codes);
  o.set("count", double(m.count));
  o.set("createdUtc", m.created_utc);
  val shards = val::array();
  for (const clip::ShardEntry& s : m.shards) {
    val e = val::object();
    e.set("file", s.file);
    e.set("bytes", double(s.bytes));
    e.set("sha256", s.sha256);
    e.set("count", s.count);
    e.set("version", s.version);
    e.set("headBytes", double(s.head_bytes));
    e.set("headSha256", s.head_sha256);
    shards.call<void>("push", e);
  }
  o.set("shards", shards);
  return o;
}

}  // namespace clipwasm
