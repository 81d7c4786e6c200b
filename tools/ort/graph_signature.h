// An ORT session's inputs and outputs (names, element types, shapes) in the
// core's terms, for ModelSpec's graph contract checks.
#pragma once
#include <onnxruntime_cxx_api.h>

#include "core/model/model_spec.h"

namespace clipsearch {

clip::GraphSignature read_graph_signature(const Ort::Session& session);

}  // namespace clipsearch
