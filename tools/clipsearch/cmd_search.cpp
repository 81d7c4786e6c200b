// clipsearch search: query an index by text, by image, or by an indexed id.
//   clipsearch search --index photos.index --text "a dog on a beach" -k 5
//   clipsearch search --index photos.index --image query.jpg --json
//   clipsearch search --index photos.index --id cats/tom.jpg --exclude-self
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "core/image/preprocess.h"
#include "core/index/index.h"
#include "core/util/sha256.h"
#include "tools/clipsearch/cli_common.h"
#include "tools/clipsearch/commands.h"
#include "tools/pipeline/file_io.h"
#include "tools/pipeline/index_folder.h"
#include "tools/pipeline/input_list.h"

namespace fs = std::filesystem;

namespace clipsearch {
namespace {

struct Options {
  std::string index;
  std::string model;
  std::string device;
  std::string text, image, id;
  size_t k = 10;
  float min_score = -1.0f;
  bool json = false;
  std::string first_pass = "auto";
  bool exclude_self = false;
};

clip::ModelIdentity identity(const ClipModel& model) {
  const clip::ModelManifest& mm = model.manifest();
  return {mm.name, mm.fingerprint, mm.embedding_dim};
}

// The model for a query: --model, or the one manifest.json names (its folder
// relative to the index), or the default model; the index decides whether it
// can query it.
clip::Result<ClipModel> model_for_index(const LoadedIndex& index, const std::string& flag) {
  const clip::IndexManifest& m = index.manifest();
  auto check = [&](clip::Result<ClipModel> model, const std::string& how) -> clip::Result<ClipModel> {
    if (!model.ok()) return model;
    if (auto st = index.index.check_model(identity(*model), how); !st.ok())
      return clip::make_error(st.message() + " Pass --model with the index's model.");
    return model;
  };
  if (!flag.empty()) return check(ClipModel::load(flag), "--model " + flag);
  std::string named;
  if (!m.model_location.empty() && !is_url(m.model_location)) {
    named = (fs::path(index.dir) / m.model_location).lexically_normal().string();
    std::error_code ec;
    if (fs::exists(fs::path(named) / "model.json", ec)) return check(ClipModel::load(named), "the model at " + named);
  }
  const std::string fallback = default_model_dir();
  std::error_code ec;
  if (fs::exists(fs::path(fallback) / "model.json", ec)) {
    auto model = ClipModel::load(fallback);
    if (model.ok() && index.index.check_model(identity(*model), "").ok()) return model;
  }
  return clip::make_error("cannot find model '" + m.model_name + "' that the index names" +
                          (m.model_location.empty() ? "" : " (at " + m.model_location + ")") +
                          "; pass --model DIR (clipsearch fetch-model can download it)");
}

clip::Result<std::vector<float>> query_vector(const Options& o, const LoadedIndex& index, std::string* exclude) {
  const clip::Index& s = index.index;
  if (!o.id.empty()) {
    auto stored = s.embedding(o.id);
    if (!stored.ok()) return clip::make_error(o.index + ": " + stored.message());
    if (o.exclude_self) *exclude = o.id;
    return stored;
  }
  auto model = model_for_index(index, o.model);
  if (!model.ok()) return model.error();
  auto device = parse_device(o.device);
  if (!device.ok()) return device.error();
  if (auto st = model->set_device(*device); !st.ok()) return st.error();
  if (!o.image.empty()) {
    auto bytes = read_file(o.image, uint64_t(1) << 30);
    if (!bytes.ok()) return bytes.error();
    // The indexed copy of this file, recognised by its bytes.
    if (o.exclude_self) *exclude = index.index.find_content(clip::sha256(bytes->data(), bytes->size()));
    auto pixels = clip::preprocess_encoded(clip::ByteView(*bytes), model->image_config());
    if (!pixels.ok()) return clip::make_error(o.image + ": " + pixels.message());
    return model->embed_images(pixels->data(), 1);
  }
  return model->embed_texts({o.text});
}

void print_table(const clip::Index& s, const std::vector<clip::Hit>& hits) {
  if (hits.empty()) {
    std::printf("no results\n");
    return;
  }
  std::printf("%4s  %7s  %-32s  %s\n", "rank", "score", "id", "caption");
  for (size_t i = 0; i < hits.size(); ++i) {
    const auto& r = s.record(hits[i]);
    std::printf("%4zu  %7.4f  %-32s  %s\n", i + 1, double(hits[i].score), r.id.c_str(), r.caption.c_str());
  }
}

int run(const Options& o) {
  auto index = load_index(o.index);
  if (!index.ok()) return fail("search", index.message());
  const clip::Index& searched = index->index;

  std::string exclude;
  auto query = query_vector(o, *index, &exclude);
  if (!query.ok()) return fail("search", query.message());

  clip::IndexQuery q;
  q.k = o.k;
  q.min_score = o.min_score;
  q.exclude_id = exclude;
  q.first_pass = o.first_pass == "binary" ? clip::FirstPass::kBinary
                 : o.first_pass == "int8" ? clip::FirstPass::kInt8
                                          : clip::FirstPass::kAuto;
  auto hits = searched.search(query->data(), query->size(), q);
  if (!hits.ok()) return fail("search", hits.message());
  if (!o.json) {
    print_table(searched, *hits);
    return 0;
  }
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& h : *hits) {
    const auto& r = searched.record(h);
    out.push_back({{"id", r.id}, {"score", h.score}, {"caption", r.caption}, {"source", r.source}, {"thumb", r.thumb}});
  }
  std::cout << out.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
  return 0;
}

CommandRegistrar reg("search", "Search an index by --text, --image or --id", [](CLI::App& sub) {
  auto o = std::make_shared<Options>();
  sub.add_option("--index", o->index, "Index folder")->required();
  auto* text = sub.add_option("--text", o->text, "Text query");
  auto* image = sub.add_option("--image", o->image, "Image file query");
  auto* id = sub.add_option("--id", o->id, "Id of an indexed image: search with its stored vector (no model run)");
  text->excludes(image)->excludes(id);
  image->excludes(id);
  sub.add_option("-k,--top-k", o->k, "Number of results")->capture_default_str()->check(CLI::Range(1, 100000));
  sub.add_option("--min-score", o->min_score, "Drop results below this cosine similarity")->capture_default_str();
  sub.add_flag("--json", o->json, "Print a JSON list of {id, score, caption, source, thumb}");
  sub.add_option("--first-pass", o->first_pass,
                 "Candidates by int8 scan or sign bits, then exact rescoring; auto: sign bits from " +
                     clip::group_thousands(clip::kBinaryPassMinVectors) + " images up")
      ->check(CLI::IsMember({"auto", "int8", "binary"}))
      ->capture_default_str();
  sub.add_flag_callback("--binary", [o] { o->first_pass = "binary"; }, "Same as --first-pass binary");
  sub.add_flag("--exclude-self", o->exclude_self,
               "Leave out the query itself: the --id, or the indexed file with the same bytes as --image");
  sub.add_option("--model", o->model, "Model folder (default: the one the index names)");
  add_device_option(sub, o->device, "cpu");
  return [o, text, image, id] {
    if (text->count() + image->count() + id->count() != 1) return fail("search", "give one of --text, --image, --id");
    return run(*o);
  };
});

}  // namespace
}  // namespace clipsearch
