// Which GPUs the machine has, as Vulkan reports them. `--device auto` uses
// this to try ORT's WebGPU EP (Dawn on Vulkan) only on real hardware: on a
// CPU emulation such as SwiftShader or llvmpipe the CPU EP is far faster.
#pragma once
#include <string>
#include <vector>

namespace clipsearch {

struct GpuAdapter {
  std::string name;
  std::string type;  // "discrete", "integrated", "virtual", "cpu", "other"
  bool is_hardware = false;
};

// Loads libvulkan.so.1 at run time (no build dependency). Empty when there is
// no loader or no driver; `why_empty` then says which.
std::vector<GpuAdapter> list_gpu_adapters(std::string* why_empty);

}  // namespace clipsearch
