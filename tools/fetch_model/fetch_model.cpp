#include "tools/fetch_model/fetch_model.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>

#include "core/util/result.h"  // CLIP_TRY
#include "core/text/clip_tokenizer.h"
#include "core/util/sha256.h"
#include "tools/fetch_model/agreement.h"
#include "tools/fetch_model/download_progress.h"
#include "tools/fetch_model/graph_io.h"
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

clip::Status select_precisions(clip::ModelManifest& m, const std::vector<std::string>& want) {
  if (want.empty()) return clip::ok_status();
  for (const auto& p : want) {
    if (std::find(std::begin(kPrecisions), std::end(kPrecisions), p) == std::end(kPrecisions))
      return clip::make_error("unknown precision \"" + p + "\" (expected fp32, fp16 or int8)");
    for (const auto& [spec, what] : {std::pair{&m.text, "text"}, std::pair{&m.vision, "vision"}}) {
      if (spec->variants.count(p)) continue;
      std::string has;
      for (const auto& [q, file] : spec->variants) has += (has.empty() ? "" : ", ") + q;
      return clip::make_error(m.name + " has no " + p + " " + what + " model (it has " + has + ")");
    }
  }
  for (auto* spec : {&m.text, &m.vision})
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
  if (!got.ok()) return got.error();
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

// Input names and the embedding output from the graphs; every precision of
// an encoder must agree, since model.json has one signature per encoder.
clip::Status read_signature(const std::string& out_dir, clip::EncoderSpec& spec, const std::string& default_output,
                            int image_side, uint32_t* dim) {
  const clip::ModelFile& ref = spec.variants.at(reference_precision(spec));
  const std::string ref_path = (fs::path(out_dir) / ref.path).string();
  auto io = read_graph_io(ref_path);
  if (!io.ok()) return io.error();
  auto output = embedding_output(*io, spec.output_name.empty() ? default_output : spec.output_name, ref_path);
  if (!output.ok()) return output.error();
  if (image_side > 0) CLIP_TRY(check_image_side(*io, image_side, ref_path));
  for (const auto& [precision, file] : spec.variants) {
    if (&file == &ref) continue;
    const std::string path = (fs::path(out_dir) / file.path).string();
    auto other = read_graph_io(path);
    if (!other.ok()) return other.error();
    if (other->inputs != io->inputs)
      return clip::make_error(path + ": its inputs differ from " + ref.path + "'s");
    if (std::find(other->outputs.begin(), other->outputs.end(), *output) == other->outputs.end())
      return clip::make_error(path + ": has no output " + *output + " (" + ref.path + " has)");
  }
  spec.input_names = io->inputs;
  spec.output_name = *output;
  *dim = static_embedding_dim(*io, *output);
  return clip::ok_status();
}

// For graphs that leave the embedding width dynamic: run one input.
clip::Result<uint32_t> measure_dim(const std::string& out_dir, const clip::ModelManifest& m, bool text) {
  const clip::EncoderSpec& spec = text ? m.text : m.vision;
  EncoderConfig cfg;
  cfg.path = (fs::path(out_dir) / spec.variants.at(reference_precision(spec)).path).string();
  cfg.output_name = spec.output_name;
  auto enc = Encoder::open(cfg);
  if (!enc.ok()) return enc.error();
  if ((*enc)->dim() > 0) return uint32_t((*enc)->dim());
  const size_t side = size_t(m.image.size);
  std::vector<float> zeros(3 * side * side, 0.0f);
  auto out = text ? (*enc)->run_text({{clip::ClipTokenizer::kStartOfText, clip::ClipTokenizer::kEndOfText}},
                                     clip::ClipTokenizer::kEndOfText)
                  : (*enc)->run_image(zeros.data(), 1, m.image.size);
  if (!out.ok()) return out.error();
  return uint32_t(out->size());
}

clip::Status settle_dim(const FetchModelOptions& o, clip::ModelManifest& m, uint32_t text_dim, uint32_t vision_dim) {
  for (bool text : {true, false}) {
    uint32_t& d = text ? text_dim : vision_dim;
    if (d == 0) {
      auto measured = measure_dim(o.out_dir, m, text);
      if (!measured.ok()) return measured.error();
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

clip::Status write_manifest(const std::string& out_dir, clip::ModelManifest& m) {
  auto fp = clip::compute_model_fingerprint(m);
  if (!fp.ok()) return fp.error();
  m.fingerprint = *fp;
  auto valid = clip::validate_model_manifest(m);
  if (!valid.ok()) return valid.error();
  return write_file_atomic((fs::path(out_dir) / "model.json").string(), clip::serialize_model_manifest(m));
}

}  // namespace

std::map<std::string, std::string> default_preferred_precision(const clip::ModelManifest& m) {
  struct Rule {
    const char* backend;
    const char* order[3];  // first one both encoders have wins
  };
  static const Rule kRules[] = {
      {"webgpu", {"fp16", "fp32", "int8"}},
      {"cuda", {"fp16", "fp32", "int8"}},
      {"wasm", {"int8", "fp32", "fp16"}},
      {"cpu", {"fp32", "int8", "fp16"}},
  };
  std::map<std::string, std::string> out;
  for (const Rule& rule : kRules) {
    for (const char* p : rule.order) {
      if (m.text.variants.count(p) && m.vision.variants.count(p)) {
        out[rule.backend] = p;
        break;
      }
    }
  }
  return out;
}

clip::Result<clip::ModelManifest> fetch_model(const FetchModelOptions& o) {
  clip::ModelManifest m = o.model;
  CLIP_TRY(select_precisions(m, o.precisions));
  std::error_code ec;
  fs::create_directories(o.out_dir, ec);
  if (ec) return clip::make_error("cannot create " + o.out_dir + ": " + ec.message());

  for (auto* spec : {&m.text, &m.vision})
    for (const char* precision : kPrecisions)  // most precise first, as people expect to see them
      if (auto it = spec->variants.find(precision); it != spec->variants.end()) CLIP_TRY(fetch_file(o, it->second));
  for (auto& file : m.tokenizer_files) CLIP_TRY(fetch_file(o, file));

  uint32_t text_dim = 0, vision_dim = 0;
  CLIP_TRY(read_signature(o.out_dir, m.text, "text_embeds", 0, &text_dim));
  CLIP_TRY(read_signature(o.out_dir, m.vision, "image_embeds", m.image.size, &vision_dim));
  CLIP_TRY(settle_dim(o, m, text_dim, vision_dim));

  // Keep the template's preferences where the precision arrived; fill the rest.
  auto defaults = default_preferred_precision(m);
  for (auto it = m.preferred_precision.begin(); it != m.preferred_precision.end();) {
    const bool present = m.text.variants.count(it->second) && m.vision.variants.count(it->second);
    it = present ? std::next(it) : m.preferred_precision.erase(it);
  }
  for (const auto& [backend, precision] : defaults) m.preferred_precision.emplace(backend, precision);

  m.source = o.source;
  m.source.fetched_utc = utc_now();
  m.agreement.clear();  // measured below, or not claimed
  CLIP_TRY(write_manifest(o.out_dir, m));

  if (o.check_agreement) {
    auto agreement = check_agreement(o.out_dir, o.log);
    if (!agreement.ok()) return agreement.error();
    m.agreement = *agreement;
    CLIP_TRY(write_manifest(o.out_dir, m));
  }
  return m;
}

}  // namespace clipsearch
