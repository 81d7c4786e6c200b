// clipsearch upgrade: rewrite an index's shards in the current format
// version (docs/FORMAT.md), in place; safe to kill and rerun.
//   clipsearch upgrade photos.index
#include <cstdio>
#include <memory>
#include <string>

#include "core/index/shard.h"
#include "tools/clipsearch/cli_common.h"
#include "tools/clipsearch/commands.h"
#include "tools/pipeline/index_upgrade.h"

namespace clipsearch {
namespace {

struct Options {
  std::string index;
  uint32_t version = clip::kShardVersion;
};

int run(const Options& o) {
  auto s = upgrade_index(o.index, o.version);
  if (!s.ok()) return fail("upgrade", s.message());
  if (s->already)
    std::printf("%s: all %zu shards are already version %u\n", o.index.c_str(), s->shards, o.version);
  else
    std::printf("%s: %zu shards (%llu images) now version %u (%zu written, %zu from an earlier run)\n",
                o.index.c_str(), s->shards, (unsigned long long)s->count, o.version, s->rewritten, s->reused);
  return 0;
}

CommandRegistrar reg("upgrade", "Rewrite an index's shards in the current format version, in place (crash-safe)",
                     [](CLI::App& sub) {
                       auto o = std::make_shared<Options>();
                       sub.add_option("index", o->index, "Index folder")->required();
                       sub.add_option("--to", o->version, "Shard format version to write (1 or 2)")
                           ->capture_default_str();
                       return [o] { return run(*o); };
                     });

}  // namespace
}  // namespace clipsearch
