#include "tools/fetch_model/fetch_model.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>

#include "core/util/result.h"  // CLIP_TRY
#include "core/util/sha256.h"
#include "tools/fetch_model/arrival_checks.h"
#include "tools/fetch_model/download_progress.h"
#include "tools/fetch_model/graph_io.h"
#include "tools/fetch_model/split_towers.h"
#include "tools/fetch_model/url_template.h"
#include "tools/ort/encoder.h"
#include "tools/pipeline/file_io.h"

namespace clipsearch {
namespace {

namespace fs = std::filesystem;

const char* const kPrecisions[] = {"fp32", "fp16", "int8"};

struct FileHash {
  std::string sha256;
  uint64_t bytes = 0;
};

clip::Result<FileHash> hash_file(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return clip::make_error("cannot read " + path);
  clip::Sha256 h;
  FileHash out;
  std::vector<char> buf(1 << 20);
  for (size_t n; (n = std::fread(buf.data(), 1, buf.size(), f)) > 0;) {
    h.update(buf.data(), n);
    out.bytes += n;
  }
  bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) return clip::make_error("cannot read " + path);
  out.sha256 = clip::to_hex(h.finish());
  return out;
}

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Every encoder of a model with what to call it: each text tower, then vision.
std::vector<std::pair<clip::EncoderSpec*, std::string>> encoders(clip::ModelManifest& m) {
  std::vector<std::pair<clip::EncoderSpec*, std::string>> out;
  for (auto& t : m.text_towers) out.emplace_back(&t.encoder, t.language + " text");
  out.emplace_back(&m.vision, "vision");
  return out;
}

clip::Status select_precisions(clip::ModelManifest& m, const std::vector<std::string>& want) {
  if (want.empty()) return clip::ok_status();
  for (const auto& p : want) {
    if (std::find(std::begin(kPrecisions), std::end(kPrecisions), p) == std::end(kPrecisions))
      return clip::make_error("unknown precision \"" + p + "\" (expected fp32, fp16 or int8)");
    for (const auto& [spec, what] : encoders(m)) {
      if (spec->variants.count(p)) continue;
      std::string has;
      for (const auto& [q, file] : spec->variants) has += (has.empty() ? "" : ", ") + q;
      return clip::make_error(m.name + " has no " + p + " " + what + " model (it has " + has + ")");
    }
  }
  for (const auto& [spec, what] : encoders(m))
    for (auto it = spec->variants.begin(); it != spec->variants.end();)
      it = std::find(want.begin(), want.end(), it->first) == want.end() ? spec->variants.erase(it) : std::next(it);
  return clip::ok_status();
}

// One file: kept when what is there matches, else downloaded (resuming a
// .part left by an earlier run). Records the sha256 and size that arrived.
clip::Status fetch_file(const FetchModelOptions& o, clip::ModelFile& f) {
  auto path_ok = clip::check_model_path(f.path);
  if (!path_ok.ok()) return clip::make_error("file path \"" + f.path + "\" " + path_ok.message());
  const std::string url = o.base_url + f.path;
  const fs::path dest = fs::path(o.out_dir) / f.path;
  std::error_code ec;
  fs::create_directories(dest.parent_path(), ec);
  if (ec) return clip::make_error("cannot create " + dest.parent_path().string() + ": " + ec.message());

  if (fs::exists(dest, ec)) {
    auto have = hash_file(dest.string());
    if (have.ok() && (f.sha256.empty() || have->sha256 == f.sha256) && (f.bytes == 0 || have->bytes == f.bytes)) {
      f.sha256 = have->sha256;
      f.bytes = have->bytes;
      o.log(f.path + ": already here (" + format_bytes(f.bytes) + ", sha256 " + f.sha256.substr(0, 12) + ")");
      return clip::ok_status();
    }
    o.log(f.path + ": the file there is not the expected one; fetching it again");
    fs::remove(dest, ec);
  }

  net::DownloadOptions d = o.download;
  d.expected_sha256 = f.sha256;
  d.expected_bytes = f.bytes;
  DownloadProgress progress(f.path);
  d.progress = [&](uint64_t done, uint64_t total) { progress.update(done, total); };
  auto got = net::download_to_file(url, dest.string(), d);
  progress.finish();
  CLIP_TRY(got);
  const bool checked = !f.sha256.empty();
  f.sha256 = got->sha256;
  f.bytes = got->bytes;
  std::string line = f.path + ": " + format_bytes(f.bytes);
  if (got->resumed_from) line += ", resumed at " + format_bytes(got->resumed_from);
  line += ", sha256 " + f.sha256.substr(0, 12) + (checked ? " (verified)" : " (recorded: none published to check)");
  o.log(line);
  return clip::ok_status();
}

const char* reference_precision(const clip::EncoderSpec& spec) {
  for (const char* p : kPrecisions)
    if (spec.variants.count(p)) return p;
  return nullptr;
}

// For an export whose names no one wrote down: input and output names from
// its most precise graph; model.json records them and they are checked like
// any other from then on.
clip::Status discover_names(const FetchModelOptions& o, clip::ModelManifest& m) {
  const std::string& out_dir = o.out_dir;
  for (auto& [spec, what] : encoders(m)) {
    if (!spec->input_names.empty() && !spec->output_name.empty()) continue;
    const std::string path = (fs::path(out_dir) / spec->variants.at(reference_precision(*spec)).path).string();
    auto graph = read_graph_file_signature(path);
    CLIP_TRY(graph);
    clip::EncoderSpec found;
    CLIP_TRY(discover_encoder_names(*graph, spec == &m.vision ? "image_embeds" : "text_embeds", path, &found));
    if (spec->input_names.empty()) spec->input_names = found.input_names;
    if (spec->output_name.empty()) spec->output_name = found.output_name;
    std::string inputs;  // a loop, not a lambda: C++17 lambdas cannot capture the structured binding
    for (const auto& n : spec->input_names) inputs += (inputs.empty() ? "" : ", ") + n;
    o.log(what + " graph: inputs read from it: " + inputs + "; output " + spec->output_name);
  }
  return clip::ok_status();
}

// A transformers.js export states its text contract in tokenizer.json.
clip::Status read_text_contract(const FetchModelOptions& o, clip::ModelManifest& m) {
  clip::TextTower& tower = m.text();
  if (tower.tokenizer.kind != "tokenizer_json") return clip::ok_status();
  const std::string path = (fs::path(o.out_dir) / tower.tokenizer.files.at(0).path).string();
  auto text = read_text_file(path, uint64_t(64) << 20);
  CLIP_TRY(text);
  bool fixed = false;
  if (auto s = apply_hf_tokenizer_padding(*text, &tower, &fixed); !s.ok()) return clip::make_error(path + ": " + s.message());
  if (fixed)
    o.log("tokenizer.json pads every text to " + std::to_string(tower.tokenizer.context_length) + " ids with " +
          std::to_string(tower.input.pad_id) + ": the text input has fixed length");
  return clip::ok_status();
}

// For graphs that leave the embedding width dynamic: run one input.
clip::Result<uint32_t> measure_dim(const std::string& out_dir, clip::ModelManifest m, bool text) {
  m.embedding_dim = 1;  // provisional: what is measured here
  auto spec = clip::ModelSpec::from_manifest(std::move(m));
  CLIP_TRY(spec);
  const clip::EncoderSpec& e = text ? spec->manifest().text().encoder : spec->manifest().vision;
  EncoderConfig cfg;
  cfg.path = (fs::path(out_dir) / e.variants.at(reference_precision(e)).path).string();
  cfg.input_names = e.input_names;
  cfg.output_name = e.output_name;
  auto enc = Encoder::open(cfg);
  CLIP_TRY(enc);
  clip::Result<std::vector<float>> out = std::vector<float>{};
  if (text) {
    const clip::TextTower& tower = spec->manifest().text();
    std::vector<std::string> texts;
    for (const auto& f : tower.tokenizer.files) {
      auto t = read_text_file((fs::path(out_dir) / f.path).string(), uint64_t(64) << 20);
      CLIP_TRY(t);
      texts.push_back(std::move(*t));
    }
    auto tok = spec->make_tokenizer(tower, texts);
    CLIP_TRY(tok);
    auto batches = spec->text_batches(tower, {(*tok)->encode("a photo", tower.tokenizer.context_length)},
                                      (*enc)->signature());
    CLIP_TRY(batches);
    out = (*enc)->run_text(batches->front());
  } else {
    const size_t side = size_t(spec->image().size);
    std::vector<float> zeros(3 * side * side, 0.0f);
    out = (*enc)->run_image(zeros.data(), 1, int(side));
  }
  CLIP_TRY(out);
  return uint32_t(out->size());
}

clip::Status settle_dim(const FetchModelOptions& o, clip::ModelManifest& m) {
  uint32_t text_dim = 0, vision_dim = 0;
  for (bool text : {true, false}) {
    const clip::EncoderSpec& e = text ? m.text().encoder : m.vision;
    auto graph = read_graph_file_signature((fs::path(o.out_dir) / e.variants.at(reference_precision(e)).path).string());
    CLIP_TRY(graph);
    uint32_t& d = text ? text_dim : vision_dim;
    d = static_embedding_dim(*graph, e.output_name);
    if (d == 0) {
      auto measured = measure_dim(o.out_dir, m, text);
      CLIP_TRY(measured);
      d = *measured;
      o.log(std::string(text ? "text" : "vision") + " graph does not state its embedding width; measured " +
            std::to_string(d));
    }
  }
  if (text_dim != vision_dim)
    return clip::make_error("the text model gives " + std::to_string(text_dim) + "-d embeddings, the vision model " +
                            std::to_string(vision_dim) + "-d: not one CLIP model");
  if (m.embedding_dim != 0 && m.embedding_dim != text_dim)
    return clip::make_error("the graphs give " + std::to_string(text_dim) + "-d embeddings, the catalog says " +
                            std::to_string(m.embedding_dim));
  m.embedding_dim = text_dim;
  return clip::ok_status();
}

// Every file of every encoder against model.json's contract (names, types,
// text length, image size, width): a catalog that says "text_embeds" for a
// graph without one fails here, naming both.
clip::Status check_graphs(const std::string& out_dir, clip::ModelManifest m) {
  // Before the width is settled: the catalog's, else the graph's own.
  if (m.embedding_dim == 0) {
    const clip::ModelFile& ref = m.vision.variants.at(reference_precision(m.vision));
    auto graph = read_graph_file_signature((fs::path(out_dir) / ref.path).string());
    CLIP_TRY(graph);
    m.embedding_dim = static_embedding_dim(*graph, m.vision.output_name);
    if (m.embedding_dim == 0) m.embedding_dim = 1;  // dynamic: nothing to compare yet
  }
  auto checked = clip::ModelSpec::from_manifest(std::move(m));
  CLIP_TRY(checked);
  const clip::ModelSpec& spec = *checked;
  for (const auto& tower : spec.manifest().text_towers)
    for (const auto& [precision, file] : tower.encoder.variants) {
      auto graph = read_graph_file_signature((fs::path(out_dir) / file.path).string());
      CLIP_TRY(graph);
      CLIP_TRY(spec.check_text_graph(tower, *graph, file.path));
    }
  for (const auto& [precision, file] : spec.manifest().vision.variants) {
    auto graph = read_graph_file_signature((fs::path(out_dir) / file.path).string());
    CLIP_TRY(graph);
    CLIP_TRY(spec.check_vision_graph(*graph, file.path));
  }
  return clip::ok_status();
}

clip::Status write_manifest(const std::string& out_dir, clip::ModelManifest& m) {
  CLIP_TRY(clip::complete_fingerprints(&m));
  CLIP_TRY(clip::validate_model_manifest(m));
  return write_file_atomic((fs::path(out_dir) / "model.json").string(), clip::serialize_model_manifest(m));
}

// A model that fails its checks stays on disk for inspection, but without a
// model.json no command or page will load it.
clip::Error reject(const FetchModelOptions& o, const std::string& why) {
  const fs::path json = fs::path(o.out_dir) / "model.json";
  std::error_code ec;
  fs::rename(json, fs::path(o.out_dir) / "model.json.rejected", ec);
  return clip::make_error(o.out_dir + ": the model " + why + " (model.json moved to model.json.rejected; " +
                          "--no-verify keeps a model that fails its checks)");
}

// A split tower must compute what the fused graph computes; it should be
// exact (the same nodes run), so the tolerance only allows for ONNX Runtime
// optimising the two graphs differently.
constexpr float kSplitTolerance = 1e-4f;

clip::Status check_split(const FetchModelOptions& o, const clip::ModelManifest& m,
                         const std::map<std::string, clip::ModelFile>& fused) {
  for (const auto& [precision, file] : fused) {
    auto worst = compare_with_fused(o.out_dir, m, file, precision, kSplitTolerance);
    CLIP_TRY(worst);
    char figure[32];
    std::snprintf(figure, sizeof figure, "%.2g", double(*worst));
    o.log("check: the split " + precision + " towers reproduce " + file.path +
          " (largest difference " + figure + " over 2 captions and 2 pictures)");
  }
  return clip::ok_status();
}

}  // namespace

clip::Result<clip::ModelManifest> fetch_model(const FetchModelOptions& o) {
  clip::ModelManifest m = o.model;
  CLIP_TRY(select_precisions(m, o.precisions));
  std::map<std::string, clip::ModelFile> fused = o.fused;
  for (auto it = fused.begin(); it != fused.end();)  // the precisions kept above
    it = m.vision.variants.count(it->first) ? std::next(it) : fused.erase(it);
  std::error_code ec;
  fs::create_directories(o.out_dir, ec);
  if (ec) return clip::make_error("cannot create " + o.out_dir + ": " + ec.message());

  for (const auto& [spec, what] : encoders(m))
    for (const char* precision : kPrecisions)  // most precise first, as people expect to see them
      if (auto it = spec->variants.find(precision); it != spec->variants.end()) {
        const bool made_by_split = fused.count(precision) && (spec == &m.vision || spec == &m.text().encoder);
        if (!made_by_split) CLIP_TRY(fetch_file(o, it->second));
      }
  for (auto& [precision, file] : fused) {
    CLIP_TRY(fetch_file(o, file));
    CLIP_TRY(split_fused_graph(o.out_dir, file, m.text().encoder.output_name, m.vision.output_name,
                               &m.text().encoder.variants.at(precision), &m.vision.variants.at(precision), o.log));
  }
  for (auto& tower : m.text_towers)
    for (auto& file : tower.tokenizer.files) CLIP_TRY(fetch_file(o, file));

  CLIP_TRY(discover_names(o, m));
  if (o.hf_export) CLIP_TRY(read_text_contract(o, m));
  CLIP_TRY(check_graphs(o.out_dir, m));
  CLIP_TRY(settle_dim(o, m));
  if (!fused.empty()) CLIP_TRY(check_split(o, m, fused));

  // Keep the template's preferences where the precision arrived; fill the rest.
  auto defaults = clip::default_preferred_precision(m);
  for (auto it = m.preferred_precision.begin(); it != m.preferred_precision.end();) {
    bool present = true;
    for (const auto& [spec, what] : encoders(m)) present = present && spec->variants.count(it->second);
    it = present ? std::next(it) : m.preferred_precision.erase(it);
  }
  for (const auto& [backend, precision] : defaults) m.preferred_precision.emplace(backend, precision);

  m.source = o.source;
  m.source.fetched_utc = utc_now();
  m.agreement.clear();  // measured below, or not claimed
  CLIP_TRY(write_manifest(o.out_dir, m));

  auto report = check_on_arrival(o.out_dir, o.checks, o.reference_dir, o.log);
  if (!report.ok() && o.verify) return reject(o, "could not be checked: " + report.message());
  if (!report.ok()) {
    o.log("kept without checks (--no-verify): " + report.message());
    return m;
  }
  m.agreement = report->agreement;
  CLIP_TRY(write_manifest(o.out_dir, m));
  if (!report->failures.empty()) {
    std::string why;
    for (const auto& f : report->failures) why += (why.empty() ? "" : "; ") + f;
    if (o.verify) return reject(o, "failed its checks on arrival: " + why);
    o.log("kept although it failed its checks on arrival (--no-verify): " + why);
  } else {
    o.log("checks on arrival passed");
  }
  return m;
}

}  // namespace clipsearch
