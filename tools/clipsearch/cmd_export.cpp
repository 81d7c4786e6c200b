// clipsearch export: an index's embeddings for other tools (NumPy, FAISS,
// vector databases): PREFIX.npy (N x dim, unit rows, index row order) and
// PREFIX.jsonl ({id, caption, source, row} per line, the same order).
//   clipsearch export --index photos.index --out photos
//   clipsearch export --index photos.index --out photos --dtype f16
#include <cstdio>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "core/util/npy.h"
#include "tools/clipsearch/cli_common.h"
#include "tools/clipsearch/commands.h"
#include "tools/pipeline/file_io.h"
#include "tools/pipeline/index_folder.h"

namespace clipsearch {
namespace {

struct Options {
  std::string index;
  std::string out;
  std::string dtype = "f32";
};

int run(const Options& o) {
  auto index = load_index(o.index);
  if (!index.ok()) return fail("export", index.message());
  const clip::NpyType type = o.dtype == "f16" ? clip::NpyType::F16 : clip::NpyType::F32;
  const clip::Searcher& searcher = index->index.searcher();
  const uint64_t rows = searcher.size();
  const uint32_t dim = index->manifest().dim;

  std::vector<uint8_t> npy = clip::npy_header(rows, dim, type);
  const size_t header = npy.size();
  npy.resize(header + rows * dim * (type == clip::NpyType::F16 ? 2 : 4));
  uint8_t* at = npy.data() + header;
  std::string jsonl;
  uint64_t row = 0;
  for (uint32_t si = 0; si < searcher.shard_count(); ++si) {  // manifest order: every shard was accepted
    const clip::Shard* s = &searcher.shard(si);
    for (uint32_t r = 0; r < s->count(); ++r, ++row) {
      // The stored vector (centre + scale x int8 codes, rotated back),
      // normalised: what search scores against, to int8 rounding.
      const std::vector<float> e = s->embedding(r);
      for (float v : e) {
        if (type == clip::NpyType::F16) {
          const uint16_t h = clip::float_to_half(v);
          *at++ = uint8_t(h);
          *at++ = uint8_t(h >> 8);
        } else {
          uint32_t bits;
          std::memcpy(&bits, &v, 4);
          for (int b = 0; b < 4; ++b) *at++ = uint8_t(bits >> (8 * b));
        }
      }
      const clip::ImageRecord& rec = s->record(r);
      nlohmann::ordered_json line = {{"id", rec.id}, {"caption", rec.caption}, {"source", rec.source}, {"row", row}};
      jsonl += line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
    }
  }
  const std::string npy_path = o.out + ".npy", jsonl_path = o.out + ".jsonl";
  if (auto st = write_file_atomic(npy_path, clip::ByteView(npy)); !st.ok()) return fail("export", st.message());
  if (auto st = write_file_atomic(jsonl_path, jsonl); !st.ok()) return fail("export", st.message());
  std::fprintf(stderr, "clipsearch export: %llu vectors of dim %u (%s, model '%s') to %s and %s\n",
               static_cast<unsigned long long>(rows), dim, o.dtype.c_str(), index->manifest().model_name.c_str(),
               npy_path.c_str(), jsonl_path.c_str());
  return 0;
}

CommandRegistrar reg("export", "Write an index's embeddings as PREFIX.npy and its metadata as PREFIX.jsonl",
                     [](CLI::App& sub) {
                       auto o = std::make_shared<Options>();
                       sub.add_option("--index", o->index, "Index folder")->required();
                       sub.add_option("--out", o->out, "Output prefix: writes PREFIX.npy and PREFIX.jsonl")
                           ->required();
                       sub.add_option("--dtype", o->dtype, "Float type of the .npy: f32 or f16")
                           ->check(CLI::IsMember({"f32", "f16"}))
                           ->capture_default_str();
                       return [o] { return run(*o); };
                     });

}  // namespace
}  // namespace clipsearch
