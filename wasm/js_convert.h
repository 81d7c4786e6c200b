// Conversions between JS values and core types, shared by the bind_*.cpp
// files. Nothing here decides anything: it copies and renames.
#pragma once
#include <emscripten/val.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/image/preprocess.h"
#include "core/index/index_manifest.h"
#include "core/util/result.h"

namespace clipwasm {

using emscripten::val;

// One copy of a Uint8Array / Uint8ClampedArray / ArrayBuffer into wasm memory.
std::vector<uint8_t> bytes_from_js(const val& array);
// A Float32Array (or plain array of numbers) into wasm memory.
std::vector<float> floats_from_js(const val& array);
// A Uint32Array (or plain array of numbers) into wasm memory.
std::vector<uint32_t> uint32s_from_js(const val& array);

// A JS-owned copy: views into wasm memory die when memory grows.
template <class T>
val copy_to_js(const T* data, size_t count) {
  return val(emscripten::typed_memory_view(count, data)).call<val>("slice");
}
template <class T>
val copy_to_js(const std::vector<T>& v) { return copy_to_js(v.data(), v.size()); }

// What a binding returns to fail: a ClipError carrying `message`, which
// throw_errors.js throws once the call has returned (docs/WASM_API.md).
// Success values are returned as they are, with no status fields.
val js_error(const std::string& message);

// { size, resample, mean, std, maxPixels, maxSide }, each optional (missing
// ones keep CLIP's values). Fails on a resample name core does not know.
clip::Result<clip::PreprocessConfig> preprocess_config_from_js(const val& config);
val preprocess_config_to_js(const clip::PreprocessConfig& config);

// manifest.json as the page reads it: {version, toolVersion, modelName,
// modelFingerprint, modelLocation, dim, quantization, binaryCodes, count,
// createdUtc, shards: [{file, bytes, sha256, count, version, headBytes, headSha256}]}.
val index_manifest_to_js(const clip::IndexManifest& m);

// A JS number as a count: NaN and negatives give 0, huge values 2^32 - 1.
size_t count_from_js(const val& number);

// Reads obj[key] when present, else leaves `out` as it is.
bool read_string(const val& obj, const char* key, std::string* out);

}  // namespace clipwasm
