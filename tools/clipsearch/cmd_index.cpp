// clipsearch index: embed a folder or a CSV/TSV/JSONL of images into an
// index folder (manifest.json, shard-NNNNN.bin, thumbs/, report.jsonl).
//   clipsearch index --input photos/ --out photos.index
//   clipsearch index --input cc.tsv --columns caption,url --out cc.index --part 3/8
#include <cstdio>
#include <memory>
#include <sstream>
#include <string>

#include "tools/clipsearch/cli_common.h"
#include "tools/clipsearch/commands.h"
#include "tools/net/http.h"
#include "tools/pipeline/embedding_import.h"
#include "tools/pipeline/file_io.h"
#include "tools/pipeline/index_folder.h"
#include "tools/pipeline/index_run.h"
#include "tools/pipeline/progress.h"

namespace clipsearch {
namespace {

struct Options {
  std::string model;
  std::string device;
  IndexOptions index;
  std::string columns;
  std::string part;
  bool strict = false;
  bool no_thumbs = false;
  std::string stats_json;
  long url_timeout_s = 60;
  uint64_t max_download_bytes = uint64_t(50) << 20;
  // --embeddings: vectors computed elsewhere.
  std::string embeddings, metadata, images_root;
  bool skip_model_check = false;
};

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string part; std::getline(ss, part, ',');) out.push_back(part);
  return out;
}

void print_summary(const Options& o, const IndexSummary& s, Device device) {
  if (s.cleanup_only) {
    std::fprintf(stderr, "clipsearch index: %s was already complete (%llu vectors in %zu shards); finished its clean-up\n",
                 o.index.out.c_str(), (unsigned long long)s.index_count, s.shards);
    return;
  }
  std::fprintf(stderr, "clipsearch index: %zu embedded", s.embedded);
  if (s.resumed) std::fprintf(stderr, " (+%zu from the interrupted run)", s.resumed);
  if (s.unchanged) std::fprintf(stderr, ", %zu unchanged", s.unchanged);
  std::fprintf(stderr, ", %zu skipped", s.skipped);
  if (s.skipped) std::fprintf(stderr, " (see %s)", join_path(o.index.out, kReportFile).c_str());
  if (s.hidden || s.not_image) std::fprintf(stderr, ", %zu hidden and %zu non-image files passed over", s.hidden, s.not_image);
  std::fprintf(stderr, "; %s now holds %llu vectors in %zu shards\n", o.index.out.c_str(),
               (unsigned long long)s.index_count, s.shards);
  double total = 0;
  for (double v : s.stage_seconds) total += v;
  std::fprintf(stderr, "clipsearch index: %s on %s, %.1f images/s; time shares:", format_duration(s.seconds).c_str(),
               device_name(device), s.encode_rate);
  for (size_t i = 0; i < size_t(Stage::Count); ++i)
    std::fprintf(stderr, " %s %.0f%%", kStageNames[i], total > 0 ? 100.0 * s.stage_seconds[i] / total : 0.0);
  std::fprintf(stderr, "\n");
}

int run_import(Options& o, ClipModel& model) {
  if (o.metadata.empty()) return fail("index", "--embeddings needs --metadata: the rows its vectors belong to");
  if (o.model.empty())
    return fail("index", "imported embeddings must name the model they came from: pass --model DIR (it is checked "
                         "against a few of the listed images)");
  if (o.index.append || !o.part.empty() || !o.columns.empty())
    return fail("index", "--append, --part and --columns do not apply to --embeddings");
  ImportOptions im;
  im.source.embeddings = o.embeddings;
  im.source.metadata = o.metadata;
  im.source.images_root = o.images_root;
  im.source.node = node_program();
  im.source.parquet_script = parquet_script();
  im.out = o.index.out;
  im.shard_size = o.index.shard_size;
  im.binary_codes = o.index.binary_codes;
  im.thumbnails = !o.no_thumbs;
  im.force = o.index.force;
  im.check_model = !o.skip_model_check;
  im.threads = o.index.threads;
  im.fetch = o.index.fetch;
  auto summary = import_embeddings(model, im);
  if (!summary.ok()) return fail("index", summary.message());
  std::fprintf(stderr, "clipsearch index: imported %zu vectors into %s (%zu shards)", summary->rows, im.out.c_str(),
               summary->shards);
  if (summary->without_image)
    std::fprintf(stderr, "; %zu rows without thumbnail, size and hash (their image could not be read)",
                 summary->without_image);
  std::fprintf(stderr, "\n");
  return 0;
}

int run(Options& o) {
  IndexOptions& io = o.index;
  if (!o.columns.empty()) io.input_options.columns = split_commas(o.columns);
  if (!o.part.empty()) {
    auto part = parse_part(o.part);
    if (!part.ok()) return fail("index", part.message());
    io.part = *part;
  }
  io.thumbnails = !o.no_thumbs;
  net::HttpLimits limits;
  limits.connect_timeout_s = std::min<long>(o.url_timeout_s, 20);
  limits.timeout_s = o.url_timeout_s;
  limits.max_bytes = o.max_download_bytes;
  io.fetch = [limits](const std::string& url) { return net::download_to_memory(url, limits); };

  auto model = open_model(o.model);
  if (!model.ok()) return fail("index", model.message());
  auto device = parse_device(o.device);
  if (!device.ok()) return fail("index", device.message());
  // Opening the session first: a device or model problem shows before any input is read.
  if (auto s = model->set_device(*device); !s.ok()) return fail("index", s.message());
  if (auto s = model->open_vision(); !s.ok()) return fail("index", s.message());

  if (!o.embeddings.empty() || !o.metadata.empty()) return run_import(o, *model);
  auto summary = build_index(*model, io);
  if (!summary.ok()) return fail("index", summary.message());
  print_summary(o, *summary, model->device());
  if (!o.stats_json.empty())
    if (auto s = write_file_atomic(o.stats_json, summary_json(*summary, device_name(model->device()))); !s.ok())
      return fail("index", s.message());
  if (o.strict && summary->skipped > 0)
    return fail("index", std::to_string(summary->skipped) + " input(s) skipped and --strict given; see " +
                             join_path(io.out, kReportFile));
  return 0;
}

CommandRegistrar reg(
    "index", "Embed a folder or a CSV/TSV/JSONL list of images into an index folder", [](CLI::App& sub) {
      auto o = std::make_shared<Options>();
      IndexOptions& io = o->index;
      auto* input = sub.add_option("--input", io.input,
                                   "Folder of images, or .csv/.tsv/.jsonl with a header naming the image column "
                                   "(path, file, image_path, url, image_url, source), optional caption/text/title "
                                   "and id");
      auto* embeddings =
          sub.add_option("--embeddings", o->embeddings,
                         "Vectors computed elsewhere: a .npy (N x dim) whose rows --metadata describes, or a folder "
                         "of clip-retrieval img_emb_N.npy; they must come from --model (checked)");
      sub.add_option("--metadata", o->metadata,
                     "With --embeddings: .jsonl/.csv/.tsv rows in the .npy's order, or a clip-retrieval output "
                     "folder (metadata/metadata_N.parquet + img_emb/img_emb_N.npy)");
      sub.add_option("--images-root", o->images_root,
                     "Folder that relative image paths in clip-retrieval metadata are relative to (default: here)");
      sub.add_flag("--skip-model-check", o->skip_model_check,
                   "Import --embeddings without embedding a few listed images to check they come from --model");
      input->excludes(embeddings);
      sub.add_option("--out", io.out, "Index folder to write")->required();
      sub.add_option("--model", o->model, "Model folder (default: the bundled demo model or $CLIPSEARCH_MODEL)");
      add_device_option(sub, o->device, "auto");
      sub.add_option("--batch", io.batch, "Images per encoder run")->capture_default_str();
      sub.add_option("--threads", io.threads, "Decode/preprocess threads (0 = one per core)")->capture_default_str();
      sub.add_option("--shard-size", io.shard_size, "Vectors per shard file (also the resume granularity)")
          ->capture_default_str();
      sub.add_flag("--append", io.append, "Add to an existing index: rows with a known id replace it (upsert)");
      sub.add_flag("--force", io.force, "Replace an existing index or discard an unfinished run of another input");
      sub.add_flag("--strict", o->strict, "Exit non-zero when any input was skipped");
      sub.add_flag("--no-thumbs", o->no_thumbs, "Do not write thumbnails");
      sub.add_flag("--relative-sources", io.relative_sources,
                   "Store local sources relative to the index folder (to move images and index together)");
      sub.add_option("--columns", o->columns,
                     "Layout of a headerless CSV/TSV, e.g. caption,url (Conceptual Captions); '-' skips a column");
      sub.add_option("--part", o->part, "Index only part I of N (1-based, by hash of id); join parts with merge");
      sub.add_flag("--binary,!--no-binary", io.binary_codes, "Store sign-bit codes for a fast first pass")
          ->default_val(true);
      sub.add_option("--stats-json", o->stats_json, "Write counts, rate and time per stage as JSON");
      sub.add_option("--download-threads", io.download_threads, "Concurrent URL downloads")->capture_default_str();
      sub.add_option("--url-timeout", o->url_timeout_s, "Seconds allowed per URL download")->capture_default_str();
      sub.add_option("--max-download-bytes", o->max_download_bytes, "Largest image accepted from a URL")
          ->capture_default_str();
      return [o, input] {
        if (input->count() == 0 && o->embeddings.empty() && o->metadata.empty())
          return fail("index", "give --input (images to embed) or --embeddings with --metadata (vectors to import)");
        return run(*o);
      };
    });

}  // namespace
}  // namespace clipsearch
