// clipsearch fetch-model: downloads a public CLIP ONNX export into a model
// folder the CLI and the page can use, resuming interrupted downloads and
// verifying sizes and SHA-256 where they are published.
//   clipsearch fetch-model clip-vit-base-patch32 [--precision fp16,int8] [--no-verify]
//   clipsearch fetch-model --url https://host/some/model/ --name my-model
//   clipsearch fetch-model --list
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "tools/clipsearch/cli_common.h"
#include "tools/clipsearch/commands.h"
#include "tools/fetch_model/fetch_model.h"
#include "tools/fetch_model/model_catalog.h"
#include "tools/fetch_model/url_template.h"
#include "tools/pipeline/file_io.h"

namespace clipsearch {
namespace {

struct Options {
  std::string model;  // catalog name or alias
  std::string url;
  std::string name;
  std::string out;
  std::vector<std::string> precisions;
  std::string revision;
  std::string catalog;
  bool no_verify = false;
  bool allow_unverified = false;
  bool list = false;
  int attempts = 4;
  long connect_timeout_s = 20;
  long stall_timeout_s = 60;
};

void log_line(const std::string& line) {
  std::fprintf(stderr, "fetch-model: %s\n", line.c_str());
  std::fflush(stderr);
}

clip::Result<std::vector<CatalogEntry>> load_catalog(const std::string& flag) {
  const std::string path = find_catalog_file(flag);
  if (path.empty()) return clip::make_error("no model catalog found: pass --catalog FILE (models/catalog.json)");
  auto text = read_text_file(path, 16u << 20);
  CLIP_TRY(text);
  return parse_model_catalog(*text, path);
}

int list(const Options& o) {
  auto catalog = load_catalog(o.catalog);
  if (!catalog.ok()) return fail("fetch-model", catalog.message());
  for (const auto& e : *catalog) {
    std::cout << e.name << "\n  " << e.description << "\n  " << e.model.embedding_dim << "-d, " << e.model.image.size
              << " px; precisions:";
    for (const char* p : {"fp32", "fp16", "int8"})
      if (e.model.vision.variants.count(p)) std::cout << " " << p;
    if (!e.fused.empty()) std::cout << " (one fused graph each, split into towers on arrival)";
    std::cout << "\n  from " << e.resolved_base_url() << (e.verified ? "" : " (unverified: needs --allow-unverified)")
              << "\n  licence: " << e.license << "\n";
    if (!e.aliases.empty()) {
      std::cout << "  also:";
      for (const auto& a : e.aliases) std::cout << " " << a;
      std::cout << "\n";
    }
  }
  return 0;
}

int run(const Options& o) {
  if (o.list) return list(o);
  if (o.model.empty() == o.url.empty()) return fail("fetch-model", "give a model NAME or --url BASE (not both)");

  FetchModelOptions f;
  f.log = log_line;
  f.precisions = o.precisions;
  f.verify = !o.no_verify;
  f.download.attempts = o.attempts;
  f.download.limits.connect_timeout_s = o.connect_timeout_s;
  f.download.limits.low_speed_time_s = o.stall_timeout_s;

  if (!o.model.empty()) {
    auto catalog = load_catalog(o.catalog);
    if (!catalog.ok()) return fail("fetch-model", catalog.message());
    const CatalogEntry* e = find_catalog_entry(*catalog, o.model);
    if (!e) {
      std::string known;
      for (const auto& c : *catalog) known += (known.empty() ? "" : ", ") + c.name;
      return fail("fetch-model", "no model \"" + o.model + "\" in the catalog (known: " + known +
                                     "); or pass --url BASE");
    }
    if (!e->verified && !o.allow_unverified)
      return fail("fetch-model", e->name + " is unverified: not every file's size and SHA-256 was published where " +
                                     "this catalog could cite it (docs/MODELS.md); pass --allow-unverified to fetch it " +
                                     "anyway and record what arrives");
    if (!o.revision.empty() && o.revision != e->revision)
      log_line("--revision " + o.revision + " instead of the pinned " + e->revision +
               ": the catalog's sizes and hashes may not match it");
    log_line(e->name + ": licence " + e->license + (e->license_url.empty() ? "" : " (" + e->license_url + ")"));
    f.checks = e->checks;
    f.reference_dir = e->dir;
    f.base_url = e->resolved_base_url(o.revision);
    f.model = e->model;
    f.fused = e->fused;
    f.source.catalog = e->name;
    f.source.revision = o.revision.empty() ? e->revision : o.revision;
  } else {
    f.base_url = o.url.back() == '/' ? o.url : o.url + "/";
    auto plan = model_template_from_url(f.base_url, o.name, f.download.limits, log_line, &f.hf_export);
    if (!plan.ok()) return fail("fetch-model", plan.message());
    f.model = std::move(*plan);
    f.source.revision = o.revision;
  }
  if (!o.name.empty()) f.model.name = o.name;
  f.source.base_url = f.base_url;
  f.out_dir = o.out.empty() ? "models/" + f.model.name : o.out;

  log_line("fetching " + f.model.name + " from " + f.base_url + " into " + f.out_dir);
  auto m = fetch_model(f);
  if (!m.ok()) return fail("fetch-model", m.message());
  log_line("wrote " + f.out_dir + "/model.json (" + std::to_string(m->embedding_dim) + "-d, fingerprint " +
           m->fingerprint.substr(0, 16) + ")");
  std::cout << f.out_dir << "/model.json\n";
  return 0;
}

CommandRegistrar reg(
    "fetch-model", "Download a public CLIP ONNX export (resumable, verified) and write its model.json",
    [](CLI::App& sub) {
      auto o = std::make_shared<Options>();
      sub.add_option("name", o->model, "Catalog name or alias (see --list), e.g. clip-vit-base-patch32");
      sub.add_option("--url", o->url,
                     "Base URL of a model folder instead: another clipsearch model (model.json) or a "
                     "transformers.js export (onnx/text_model.onnx, ...)");
      sub.add_option("--name", o->name, "Model name to record (default: the catalog's, or from the URL)");
      sub.add_option("--out", o->out, "Model folder to write (default: models/NAME)");
      sub.add_option("--precision", o->precisions, "Precisions to fetch: fp32,fp16,int8 (default: all listed)")
          ->delimiter(',');
      sub.add_option("--revision", o->revision, "Repository revision instead of the catalog's pinned one");
      sub.add_option("--catalog", o->catalog, "Model catalog file (default: models/catalog.json)");
      sub.add_flag("--no-verify", o->no_verify,
                   "Keep a model that fails its checks on arrival (published numbers, fp32 agreement)");
      sub.add_flag("--allow-unverified", o->allow_unverified,
                   "Fetch a catalog entry whose files' sizes and hashes are not all published");
      sub.add_flag("--list", o->list, "List the catalog's models and exit");
      sub.add_option("--attempts", o->attempts, "Tries per file for dropped connections and server errors")
          ->check(CLI::Range(1, 100));
      sub.add_option("--connect-timeout", o->connect_timeout_s, "Seconds to wait for a connection")
          ->check(CLI::Range(1, 3600));
      sub.add_option("--stall-timeout", o->stall_timeout_s,
                     "Give up on a transfer slower than 1 KB/s for this many seconds")
          ->check(CLI::Range(1, 3600));
      return [o] { return run(*o); };
    });

}  // namespace
}  // namespace clipsearch
