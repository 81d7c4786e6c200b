#include "tools/ort/ort_env.h"

#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "tools/ort/quiet_stderr.h"

namespace clipsearch {

namespace {

std::mutex g_log_mutex;
std::string g_last_error;

void ORT_API_CALL log_callback(void* param, OrtLoggingLevel severity, const char* /*category*/,
                               const char* /*logid*/, const char* /*code_location*/, const char* message) {
  const bool verbose = param != nullptr;
  if (severity >= ORT_LOGGING_LEVEL_ERROR) {
    std::lock_guard<std::mutex> lock(g_log_mutex);
    g_last_error = message ? message : "";
  }
  if (verbose) std::fprintf(stderr, "onnxruntime: %s\n", message ? message : "");
}

}  // namespace

Ort::Env& ort_env() {
  static Ort::Env env = [] {
    // ONNX Runtime 1.29+ sends usage telemetry from Linux too (and keeps a
    // database under ~/.cache, flushed at exit). This tool promises that
    // nothing leaves the machine, so it opts out, before the environment
    // exists: ORT reads the variable once, at its creation.
    ::setenv("ORT_DISABLE_TELEMETRY", "1", /*overwrite=*/1);
    const bool verbose = ort_log_verbose();
    // Any non-null param means verbose; the callback never dereferences it.
    static int verbose_tag = 1;
    Ort::Env created(verbose ? ORT_LOGGING_LEVEL_INFO : ORT_LOGGING_LEVEL_WARNING, "clipsearch", log_callback,
                     verbose ? &verbose_tag : nullptr);
    created.DisableTelemetryEvents();
    return created;
  }();
  return env;
}

std::string ort_last_error_log() {
  std::lock_guard<std::mutex> lock(g_log_mutex);
  return g_last_error;
}

}  // namespace clipsearch
