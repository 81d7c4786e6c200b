// Runs another program (no shell) and collects what it prints: how the
// indexer asks Node.js to decode Parquet (tools/parquet/parquet_rows.mjs).
#pragma once
#include <string>
#include <vector>

#include "core/util/result.h"

namespace clipsearch {

// argv[0] is looked up on PATH. Returns its stdout when it exits 0, else an
// error with its exit status and the last line it wrote to stderr.
clip::Result<std::string> run_program(const std::vector<std::string>& argv);

}  // namespace clipsearch
