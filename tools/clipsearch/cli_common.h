// Helpers every subcommand shares: finding the model, the one-line error
// convention, JSON number output.
#pragma once
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "core/util/result.h"
#include "tools/ort/clip_model.h"

namespace clipsearch {

// --model, else $CLIPSEARCH_MODEL, else <exe>/../share/clipsearch/models/demo
// (an installed tool, wherever it was moved), else the folder fixed at
// configure time (the bundled demo model of the source tree).
std::string default_model_dir();
std::string resolve_model_dir(const std::string& flag);

// The Parquet reader script (tools/parquet/parquet_rows.mjs): installed
// beside the tool in share/clipsearch/parquet/, else the source tree's.
std::string parquet_script();
// The Node.js that runs it: $CLIPSEARCH_NODE, else `node` on PATH.
std::string node_program();

// Loads the model (tokenizer and model.json; sessions open on first use).
clip::Result<ClipModel> open_model(const std::string& flag);

// Prints "clipsearch <command>: <message>" as one line on stderr; returns 1.
int fail(const std::string& command, const std::string& message);

// Adds --device with the accepted values; `fallback` is the default.
CLI::Option* add_device_option(CLI::App& sub, std::string& value, const std::string& fallback);

// A float vector as a JSON array, with enough digits to round-trip.
std::string json_float_array(const float* v, size_t n);

}  // namespace clipsearch
