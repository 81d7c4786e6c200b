#include "tools/clipsearch/cli_common.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace fs = std::filesystem;

namespace clipsearch {

namespace {

std::string exe_dir() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? "" : self.parent_path().string();
}

}  // namespace

std::string default_model_dir() {
  if (const char* env = std::getenv("CLIPSEARCH_MODEL"); env && *env) return env;
  // An installed tool uses the model installed with it, wherever the prefix
  // was moved; a tool in the build tree has none there and uses the source's.
  std::error_code ec;
  const std::string dir = exe_dir();
  if (!dir.empty()) {
    const fs::path installed = fs::path(dir) / ".." / "share" / "clipsearch" / "models" / "demo";
    if (fs::exists(installed / "model.json", ec)) return installed.lexically_normal().string();
  }
  return CLIPSEARCH_DEFAULT_MODEL;
}

std::string parquet_script() {
  std::error_code ec;
  const std::string dir = exe_dir();
  if (!dir.empty()) {
    const fs::path installed = fs::path(dir) / ".." / "share" / "clipsearch" / "parquet" / "parquet_rows.mjs";
    if (fs::exists(installed, ec)) return installed.lexically_normal().string();
  }
  return CLIPSEARCH_PARQUET_SCRIPT;
}

std::string node_program() {
  if (const char* env = std::getenv("CLIPSEARCH_NODE"); env && *env) return env;
  return "node";
}

std::string resolve_model_dir(const std::string& flag) { return flag.empty() ? default_model_dir() : flag; }

clip::Result<ClipModel> open_model(const std::string& flag) {
  const std::string dir = resolve_model_dir(flag);
  auto model = ClipModel::load(dir);
  if (!model.ok() && flag.empty())
    return clip::make_error(model.message() + " (the default model; pass --model DIR or set CLIPSEARCH_MODEL)");
  return model;
}

int fail(const std::string& command, const std::string& message) {
  std::string line = message;
  for (char& c : line)
    if (c == '\n' || c == '\r') c = ' ';
  std::fprintf(stderr, "clipsearch %s: %s\n", command.c_str(), line.c_str());
  return 1;
}

CLI::Option* add_device_option(CLI::App& sub, std::string& value, const std::string& fallback) {
  value = fallback;
  return sub
      .add_option("--device", value,
                  "Execution provider: auto (cuda, then webgpu on a hardware GPU, then cpu), cpu, webgpu, cuda")
      ->check(CLI::IsMember({"auto", "cpu", "webgpu", "cuda"}))
      ->capture_default_str();
}

std::string json_float_array(const float* v, size_t n) {
  std::string out = "[";
  char buf[32];
  for (size_t i = 0; i < n; ++i) {
    std::snprintf(buf, sizeof buf, "%s%.9g", i ? "," : "", double(v[i]));
    out += buf;
  }
  return out + "]";
}

}  // namespace clipsearch
