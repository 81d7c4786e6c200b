#include "tools/ort/clip_model.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "core/search/kernels.h"
#include "tools/pipeline/file_io.h"

namespace fs = std::filesystem;

namespace clipsearch {

namespace {

clip::Result<clip::ClipTokenizer> load_tokenizer(const fs::path& dir, const clip::ModelManifest& m) {
  std::vector<std::string> texts;
  for (const auto& f : m.tokenizer_files) {
    if (auto s = clip::check_model_path(f.path); !s.ok()) return s.error();
    auto t = read_text_file((dir / f.path).string(), uint64_t(64) << 20);
    if (!t.ok()) return t.error();
    texts.push_back(std::move(*t));
  }
  auto need = [&](size_t n) -> clip::Status {
    if (texts.size() == n) return clip::ok_status();
    return clip::make_error((dir / "model.json").string() + ": tokenizer '" + m.tokenizer_kind + "' takes " +
                            std::to_string(n) + " file(s), model.json lists " + std::to_string(texts.size()));
  };
  clip::Status s = clip::ok_status();
  if (m.tokenizer_kind == "bpe_simple_vocab") {
    if (!(s = need(1)).ok()) return s.error();
    return clip::ClipTokenizer::from_bpe_merges(texts[0]);
  }
  if (m.tokenizer_kind == "vocab_merges") {
    if (!(s = need(2)).ok()) return s.error();
    return clip::ClipTokenizer::from_vocab_and_merges(texts[0], texts[1]);
  }
  if (m.tokenizer_kind == "tokenizer_json") {
    if (!(s = need(1)).ok()) return s.error();
    return clip::ClipTokenizer::from_tokenizer_json(texts[0]);
  }
  return clip::make_error((dir / "model.json").string() + ": unknown tokenizer kind '" + m.tokenizer_kind + "'");
}

}  // namespace

ClipModel::ClipModel(ClipModel&&) noexcept = default;
ClipModel& ClipModel::operator=(ClipModel&&) noexcept = default;
ClipModel::~ClipModel() = default;

clip::Result<ClipModel> ClipModel::load(const std::string& dir) {
  const fs::path json_path = fs::path(dir) / "model.json";
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return clip::make_error(dir + ": model folder not found");
  auto text = read_text_file(json_path.string(), uint64_t(16) << 20);
  if (!text.ok()) return text.error();
  auto manifest = clip::parse_model_manifest(*text);
  if (!manifest.ok()) return clip::make_error(json_path.string() + ": " + manifest.message());

  ClipModel model;
  model.dir_ = dir;
  model.manifest_ = std::move(*manifest);
  auto tok = load_tokenizer(dir, model.manifest_);
  if (!tok.ok()) return clip::make_error(dir + ": tokenizer: " + tok.message());
  model.tokenizer_ = std::make_unique<clip::ClipTokenizer>(std::move(*tok));
  return model;
}

clip::Status ClipModel::set_device(Device requested) {
  auto d = resolve_device(requested);
  if (!d.ok()) return d.error();
  if (*d != device_) text_.reset(), vision_.reset();
  device_ = *d;
  return clip::ok_status();
}

clip::Status ClipModel::open(std::unique_ptr<Encoder>& slot, const clip::EncoderSpec& spec, const char* what) {
  if (slot) return clip::ok_status();
  const clip::ModelFile* file = clip::pick_variant(spec, manifest_, device_name(device_));
  if (!file) return clip::make_error(dir_ + "/model.json: no " + std::string(what) + " encoder file listed");
  EncoderConfig cfg;
  cfg.path = (fs::path(dir_) / file->path).string();
  cfg.device = device_;
  cfg.expected_inputs = spec.input_names;
  cfg.output_name = spec.output_name;
  cfg.intra_op_threads = intra_op_threads_;
  auto enc = Encoder::open(cfg);
  if (!enc.ok()) return enc.error();
  if ((*enc)->dim() != 0 && (*enc)->dim() != manifest_.embedding_dim)
    return clip::make_error(cfg.path + ": output dim " + std::to_string((*enc)->dim()) + " but model.json says " +
                            std::to_string(manifest_.embedding_dim));
  slot = std::move(*enc);
  return clip::ok_status();
}

clip::Result<std::vector<float>> ClipModel::embed_texts(const std::vector<std::string>& texts) {
  std::vector<std::vector<int32_t>> rows;
  rows.reserve(texts.size());
  for (const auto& t : texts) rows.push_back(tokenizer_->encode(t, manifest_.context_length));
  return embed_token_rows(rows);
}

clip::Result<std::vector<float>> ClipModel::embed_token_rows(const std::vector<std::vector<int32_t>>& rows) {
  if (auto s = open(text_, manifest_.text, "text"); !s.ok()) return s.error();
  const size_t dim = manifest_.embedding_dim;
  std::vector<float> out(rows.size() * dim);
  // Rows of equal length run together without padding, so a batched text
  // embeds exactly as it would alone (a single query is never padded).
  std::map<size_t, std::vector<size_t>> by_length;
  for (size_t i = 0; i < rows.size(); ++i) by_length[rows[i].size()].push_back(i);
  for (const auto& [length, members] : by_length) {
    std::vector<std::vector<int32_t>> group;
    for (size_t i : members) group.push_back(rows[i]);
    auto emb = text_->run_text(group, tokenizer_->end_id());
    if (!emb.ok()) return emb.error();
    if (emb->size() != group.size() * dim)
      return clip::make_error(text_->path() + ": returned " + std::to_string(emb->size()) + " floats, expected " +
                              std::to_string(group.size() * dim));
    for (size_t g = 0; g < members.size(); ++g)
      std::copy_n(emb->data() + g * dim, dim, out.data() + members[g] * dim);
  }
  for (size_t r = 0; r < rows.size(); ++r) clip::l2_normalize(out.data() + r * dim, dim);
  return out;
}

clip::Result<std::vector<float>> ClipModel::embed_images(const float* pixels, size_t count) {
  if (auto s = open_vision(); !s.ok()) return s.error();
  auto emb = vision_->run_image(pixels, count, manifest_.image.size);
  if (!emb.ok()) return emb.error();
  if (emb->size() != count * manifest_.embedding_dim)
    return clip::make_error(vision_->path() + ": returned " + std::to_string(emb->size()) + " floats, expected " +
                            std::to_string(count * manifest_.embedding_dim));
  for (size_t r = 0; r < count; ++r) clip::l2_normalize(emb->data() + r * manifest_.embedding_dim, manifest_.embedding_dim);
  return emb;
}

}  // namespace clipsearch
