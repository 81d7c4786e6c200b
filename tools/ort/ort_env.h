// The process-wide ONNX Runtime environment. ORT logs through a callback that
// keeps quiet unless asked (CLIPSEARCH_ORT_LOG=1): failures reach the user as
// one-line errors from the wrapper instead of ORT's multi-line dumps.
#pragma once
#include <onnxruntime_cxx_api.h>

#include <string>

namespace clipsearch {

Ort::Env& ort_env();

// The last ORT log message at error level, for error reports that need the
// detail ORT only logs (e.g. which provider library failed to load).
std::string ort_last_error_log();

}  // namespace clipsearch
