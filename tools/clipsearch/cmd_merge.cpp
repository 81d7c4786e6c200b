// clipsearch merge: one index from the parts of a --part I/N fan-out.
//   clipsearch merge --out photos.index part-1 part-2 part-3
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "tools/clipsearch/cli_common.h"
#include "tools/clipsearch/commands.h"
#include "tools/pipeline/index_merge.h"

namespace clipsearch {
namespace {

struct Options {
  std::string out;
  std::vector<std::string> parts;
  bool force = false;
};

int run(const Options& o) {
  auto merged = merge_indexes(o.out, o.parts, o.force);
  if (!merged.ok()) return fail("merge", merged.message());
  std::fprintf(stderr, "clipsearch merge: %zu parts -> %s: %llu vectors in %zu shards\n", merged->parts,
               o.out.c_str(), (unsigned long long)merged->count, merged->shards);
  return 0;
}

CommandRegistrar reg("merge", "Join index folders (e.g. the parts of --part I/N) into one", [](CLI::App& sub) {
  auto o = std::make_shared<Options>();
  sub.add_option("--out", o->out, "Merged index folder")->required();
  sub.add_option("parts", o->parts, "Index folders to join (same model, disjoint ids)")->required();
  sub.add_flag("--force", o->force, "Replace an index already in --out");
  return [o] { return run(*o); };
});

}  // namespace
}  // namespace clipsearch
