// Execution provider choice: --device auto|cpu|webgpu|cuda.
#pragma once
#include <onnxruntime_cxx_api.h>

#include <string>

#include "core/util/result.h"

namespace clipsearch {

enum class Device { Auto, Cpu, WebGpu, Cuda };

clip::Result<Device> parse_device(const std::string& name);
const char* device_name(Device d);  // "auto", "cpu", "webgpu", "cuda"

// The concrete device for a request. Auto tries CUDA, then WebGPU on a
// hardware adapter (never a CPU emulation such as SwiftShader or llvmpipe),
// then the CPU, and says on stderr which it took and why; the answer is kept
// for the process so that the text and vision sessions agree. An explicit
// request that cannot be met is an error with ORT's reason.
clip::Result<Device> resolve_device(Device requested);

// Adds the provider of a concrete device to session options.
clip::Status append_provider(Device device, Ort::SessionOptions& options);

// True once the WebGPU provider was set up in this process. Dawn on some
// Vulkan drivers (SwiftShader) can crash in static destructors at exit, so
// main() then leaves with _Exit after flushing.
bool webgpu_provider_used();

}  // namespace clipsearch
