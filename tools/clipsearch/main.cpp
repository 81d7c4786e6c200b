// clipsearch: build and query CLIP image indexes offline. Each subcommand
// lives in cmd_<name>.cpp and registers itself (commands.h).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "tools/clipsearch/commands.h"
#include "tools/ort/device.h"

namespace clipsearch {

std::vector<CommandInfo>& command_registry() {
  static std::vector<CommandInfo> registry;
  return registry;
}

}  // namespace clipsearch

int main(int argc, char** argv) {
  using namespace clipsearch;
  CLI::App app{"clipsearch " CLIPSEARCH_VERSION ": CLIP image search indexes, built offline with ONNX Runtime"};
  app.set_version_flag("--version", CLIPSEARCH_VERSION);
  app.require_subcommand(1);

  auto& registry = command_registry();
  std::sort(registry.begin(), registry.end(), [](const CommandInfo& a, const CommandInfo& b) { return a.name < b.name; });
  std::vector<std::pair<CLI::App*, std::function<int()>>> commands;
  for (const auto& c : registry) {
    CLI::App* sub = app.add_subcommand(c.name, c.description);
    commands.emplace_back(sub, c.setup(*sub));
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // One line, as every failure: what was wrong and where to look.
    std::string what = e.what();
    std::replace(what.begin(), what.end(), '\n', ' ');
    std::fprintf(stderr, "clipsearch: %s (see clipsearch --help)\n", what.c_str());
    return 2;
  }
  for (auto& [sub, run] : commands) {
    if (!sub->parsed()) continue;
    const int rc = run();
    if (webgpu_provider_used()) {
      // Dawn on SwiftShader crashes in exit-time destructors (a driver
      // thread outlives its teardown). All output is written by now.
      std::fflush(nullptr);
      std::_Exit(rc);
    }
    return rc;
  }
  return 2;
}
