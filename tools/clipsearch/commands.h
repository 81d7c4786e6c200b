// Each subcommand lives in its own cmd_<name>.cpp and registers itself with a
// static CommandRegistrar, so main() needs no list to keep in sync.
#pragma once
#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace clipsearch {

// Adds the subcommand's options to `sub`, returns the function main() calls
// (exit code) when that subcommand was chosen. Options bind to state the
// returned function owns (e.g. a shared_ptr captured by the lambda).
using CommandSetup = std::function<std::function<int()>(CLI::App& sub)>;

struct CommandInfo {
  std::string name;
  std::string description;
  CommandSetup setup;
};

std::vector<CommandInfo>& command_registry();

struct CommandRegistrar {
  CommandRegistrar(std::string name, std::string description, CommandSetup setup) {
    command_registry().push_back({std::move(name), std::move(description), std::move(setup)});
  }
};

}  // namespace clipsearch
