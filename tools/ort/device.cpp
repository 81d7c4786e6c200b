#include "tools/ort/device.h"

#include <atomic>
#include <cstdio>
#include <mutex>

#include "tools/ort/gpu_adapters.h"
#include "tools/ort/ort_env.h"
#include "tools/ort/quiet_stderr.h"

namespace clipsearch {

clip::Result<Device> parse_device(const std::string& name) {
  if (name == "auto") return Device::Auto;
  if (name == "cpu") return Device::Cpu;
  if (name == "webgpu") return Device::WebGpu;
  if (name == "cuda") return Device::Cuda;
  return clip::make_error("unknown device '" + name + "' (expected auto, cpu, webgpu or cuda)");
}

const char* device_name(Device d) {
  switch (d) {
    case Device::Auto: return "auto";
    case Device::Cpu: return "cpu";
    case Device::WebGpu: return "webgpu";
    case Device::Cuda: return "cuda";
  }
  return "?";
}

namespace {
std::atomic<bool> g_webgpu_used{false};
}  // namespace

bool webgpu_provider_used() { return g_webgpu_used; }

clip::Status append_provider(Device device, Ort::SessionOptions& options) {
  ort_env();  // providers log through the environment; it must exist first
  QuietStderr quiet;
  try {
    switch (device) {
      case Device::Cpu:
        return clip::ok_status();
      case Device::WebGpu:
        g_webgpu_used = true;
        options.AppendExecutionProvider("WebGPU", {});
        return clip::ok_status();
      case Device::Cuda: {
        OrtCUDAProviderOptions cuda{};
        options.AppendExecutionProvider_CUDA(cuda);
        return clip::ok_status();
      }
      case Device::Auto:
        break;
    }
  } catch (const Ort::Exception& e) {
    std::string why = e.what();
    // ORT's exception for a missing provider library is generic; the log
    // line before it names the file and the loader's error.
    const std::string log = ort_last_error_log();
    if (const size_t at = log.find("Failed to load library"); device == Device::Cuda && at != std::string::npos) {
      const size_t detail = log.find("with error: ", at);
      why = "cannot load " + (detail != std::string::npos ? log.substr(detail + 12) : log.substr(at + 23));
    }
    // Drop ORT's "file.cc:123 function condition was false." prefix.
    if (const size_t at = why.find(" was false. "); at != std::string::npos) why = why.substr(at + 12);
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    for (char& c : why)
      if (c == '\n') c = ' ';
    if (device == Device::WebGpu && why.find("No supported adapters") != std::string::npos)
      why += " (no usable Vulkan GPU driver; Dawn does not use CPU emulations unless VK_ICD_FILENAMES selects one)";
    return clip::make_error(std::string(device_name(device)) + " execution provider unavailable: " + why);
  }
  return clip::make_error("append_provider: 'auto' must be resolved first");
}

namespace {

clip::Status try_provider(Device d) {
  Ort::SessionOptions scratch;
  return append_provider(d, scratch);
}

Device resolve_auto() {
  std::string why_not_cuda, why_not_webgpu;
  if (auto s = try_provider(Device::Cuda); s.ok()) {
    std::fprintf(stderr, "clipsearch: device auto -> cuda\n");
    return Device::Cuda;
  } else {
    why_not_cuda = s.message().substr(s.message().find(": ") + 2);
  }
  std::string why_no_adapter;
  const auto adapters = list_gpu_adapters(&why_no_adapter);
  const GpuAdapter* hardware = nullptr;
  for (const auto& a : adapters)
    if (a.is_hardware && !hardware) hardware = &a;
  if (hardware) {
    if (auto s = try_provider(Device::WebGpu); s.ok()) {
      std::fprintf(stderr, "clipsearch: device auto -> webgpu (%s, %s GPU)\n", hardware->name.c_str(),
                   hardware->type.c_str());
      return Device::WebGpu;
    } else {
      why_not_webgpu = s.message().substr(s.message().find(": ") + 2);
    }
  } else if (!adapters.empty()) {
    why_not_webgpu = "only CPU-emulated GPU adapters (" + adapters.front().name + ")";
  } else {
    why_not_webgpu = why_no_adapter;
  }
  std::fprintf(stderr, "clipsearch: device auto -> cpu (cuda: %s; webgpu: %s)\n", why_not_cuda.c_str(),
               why_not_webgpu.c_str());
  return Device::Cpu;
}

}  // namespace

clip::Result<Device> resolve_device(Device requested) {
  static std::mutex mutex;
  static bool have_auto = false;
  static Device auto_choice = Device::Cpu;
  if (requested != Device::Auto) {
    if (requested != Device::Cpu)
      CLIP_TRY(try_provider(requested));
    return requested;
  }
  std::lock_guard<std::mutex> lock(mutex);
  if (!have_auto) {
    auto_choice = resolve_auto();
    have_auto = true;
  }
  return auto_choice;
}

}  // namespace clipsearch
