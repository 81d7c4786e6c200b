#include "tools/ort/gpu_adapters.h"

#include "tools/ort/quiet_stderr.h"

#include <cstdint>
#include <cstring>

#if defined(__linux__)
#include <dlfcn.h>
#endif

namespace clipsearch {

#if defined(__linux__)
namespace {

// The few Vulkan 1.0 declarations this probe needs, from the specification's
// ABI, so that building does not require the Vulkan headers.
using VkInstance = struct VkInstance_T*;
using VkPhysicalDevice = struct VkPhysicalDevice_T*;
using VkResult = int32_t;
using PFN_vkVoidFunction = void (*)();

struct VkApplicationInfo {
  int32_t sType;  // VK_STRUCTURE_TYPE_APPLICATION_INFO = 0
  const void* pNext;
  const char* pApplicationName;
  uint32_t applicationVersion;
  const char* pEngineName;
  uint32_t engineVersion;
  uint32_t apiVersion;
};

struct VkInstanceCreateInfo {
  int32_t sType;  // VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO = 1
  const void* pNext;
  uint32_t flags;
  const VkApplicationInfo* pApplicationInfo;
  uint32_t enabledLayerCount;
  const char* const* ppEnabledLayerNames;
  uint32_t enabledExtensionCount;
  const char* const* ppEnabledExtensionNames;
};

// VkPhysicalDeviceProperties starts with these fields; the limits and sparse
// properties that follow (about 600 bytes) land in `rest`.
struct VkPhysicalDevicePropertiesHead {
  uint32_t apiVersion;
  uint32_t driverVersion;
  uint32_t vendorID;
  uint32_t deviceID;
  int32_t deviceType;
  char deviceName[256];
  uint8_t pipelineCacheUUID[16];
  alignas(8) uint8_t rest[2048];
};

using PFN_GetInstanceProcAddr = PFN_vkVoidFunction (*)(VkInstance, const char*);
using PFN_CreateInstance = VkResult (*)(const VkInstanceCreateInfo*, const void*, VkInstance*);
using PFN_DestroyInstance = void (*)(VkInstance, const void*);
using PFN_EnumeratePhysicalDevices = VkResult (*)(VkInstance, uint32_t*, VkPhysicalDevice*);
using PFN_GetPhysicalDeviceProperties = void (*)(VkPhysicalDevice, VkPhysicalDevicePropertiesHead*);

const char* type_name(int32_t t) {
  switch (t) {
    case 1: return "integrated";
    case 2: return "discrete";
    case 3: return "virtual";
    case 4: return "cpu";
    default: return "other";
  }
}

bool is_software_name(const std::string& name) {
  for (const char* s : {"SwiftShader", "llvmpipe", "lavapipe", "softpipe"})
    if (name.find(s) != std::string::npos) return true;
  return false;
}

}  // namespace

std::vector<GpuAdapter> list_gpu_adapters(std::string* why_empty) {
  std::vector<GpuAdapter> out;
  auto fail = [&](const std::string& why) {
    if (why_empty) *why_empty = why;
    return out;
  };
  static void* lib = dlopen("libvulkan.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!lib) return fail("no Vulkan loader (libvulkan.so.1)");
  auto gipa = reinterpret_cast<PFN_GetInstanceProcAddr>(dlsym(lib, "vkGetInstanceProcAddr"));
  auto create = gipa ? reinterpret_cast<PFN_CreateInstance>(gipa(nullptr, "vkCreateInstance")) : nullptr;
  if (!create) return fail("libvulkan.so.1 lacks vkCreateInstance");
  VkApplicationInfo app{0, nullptr, "clipsearch", 1, "clipsearch", 1, 1u << 22};
  VkInstanceCreateInfo info{1, nullptr, 0, &app, 0, nullptr, 0, nullptr};
  VkInstance instance = nullptr;
  QuietStderr quiet;  // drivers chatter while they start
  if (create(&info, nullptr, &instance) != 0 || !instance)
    return fail("no Vulkan driver (vkCreateInstance failed)");
  auto destroy = reinterpret_cast<PFN_DestroyInstance>(gipa(instance, "vkDestroyInstance"));
  auto enumerate = reinterpret_cast<PFN_EnumeratePhysicalDevices>(gipa(instance, "vkEnumeratePhysicalDevices"));
  auto props = reinterpret_cast<PFN_GetPhysicalDeviceProperties>(gipa(instance, "vkGetPhysicalDeviceProperties"));
  uint32_t n = 0;
  if (enumerate && props && enumerate(instance, &n, nullptr) == 0 && n > 0) {
    std::vector<VkPhysicalDevice> devices(n);
    if (enumerate(instance, &n, devices.data()) >= 0) {
      devices.resize(n);
      for (VkPhysicalDevice d : devices) {
        VkPhysicalDevicePropertiesHead p;
        std::memset(&p, 0, sizeof(p));
        props(d, &p);
        GpuAdapter a;
        a.name.assign(p.deviceName, strnlen(p.deviceName, sizeof(p.deviceName)));
        a.type = type_name(p.deviceType);
        a.is_hardware = p.deviceType >= 1 && p.deviceType <= 3 && !is_software_name(a.name);
        out.push_back(std::move(a));
      }
    }
  }
  if (destroy) destroy(instance, nullptr);
  // The loader stays loaded: ORT's WebGPU EP loads it again right after, and
  // some drivers misbehave when unloaded and reloaded in one process.
  if (out.empty()) return fail("Vulkan reports no devices");
  return out;
}

#elif defined(__APPLE__)
// WebGPU runs on Metal there, always on the machine's GPU.
std::vector<GpuAdapter> list_gpu_adapters(std::string*) { return {{"Metal GPU", "integrated", true}}; }
#else
std::vector<GpuAdapter> list_gpu_adapters(std::string* why_empty) {
  if (why_empty) *why_empty = "adapter probing is implemented for Linux (Vulkan) and macOS only";
  return {};
}
#endif

}  // namespace clipsearch
