#include "tools/ort/clip_model.h"

#include <algorithm>
#include <filesystem>

#include "core/search/kernels.h"
#include "tools/pipeline/file_io.h"

namespace fs = std::filesystem;

namespace clipsearch {

ClipModel::ClipModel(ClipModel&&) noexcept = default;
ClipModel& ClipModel::operator=(ClipModel&&) noexcept = default;
ClipModel::~ClipModel() = default;

clip::Result<ClipModel> ClipModel::load(const std::string& dir) {
  const fs::path json_path = fs::path(dir) / "model.json";
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return clip::make_error(dir + ": model folder not found");
  auto text = read_text_file(json_path.string(), uint64_t(16) << 20);
  CLIP_TRY(text);
  auto spec = clip::ModelSpec::parse(*text);
  if (!spec.ok()) return clip::make_error(json_path.string() + ": " + spec.message());
  ClipModel model(std::move(*spec));
  model.dir_ = dir;
  return model;
}

clip::Result<const clip::TextTokenizer*> ClipModel::tokenizer(std::string_view language) {
  auto tower = spec_.text_tower(language);
  CLIP_TRY(tower);
  auto& slot = tokenizers_[(*tower)->language];
  if (slot) return slot.get();
  std::vector<std::string> texts;
  for (const auto& f : (*tower)->tokenizer.files) {
    auto t = read_text_file((fs::path(dir_) / f.path).string(), uint64_t(64) << 20);
    CLIP_TRY(t);
    texts.push_back(std::move(*t));
  }
  auto tok = spec_.make_tokenizer(**tower, texts);
  if (!tok.ok()) return clip::make_error(dir_ + ": " + tok.message());
  slot = std::move(*tok);
  return slot.get();
}

clip::Result<std::vector<std::vector<int32_t>>> ClipModel::tokenize(const std::vector<std::string>& texts,
                                                                    std::string_view language) {
  auto tower = spec_.text_tower(language);
  CLIP_TRY(tower);
  auto tok = tokenizer(language);
  CLIP_TRY(tok);
  std::vector<std::vector<int32_t>> rows;
  rows.reserve(texts.size());
  for (const auto& t : texts) rows.push_back((*tok)->encode(t, (*tower)->tokenizer.context_length));
  return rows;
}

clip::Status ClipModel::set_device(Device requested) {
  auto d = resolve_device(requested);
  CLIP_TRY(d);
  if (*d != device_) text_.clear(), vision_.reset();
  device_ = *d;
  return clip::ok_status();
}

void ClipModel::force_precision(std::string precision) {
  if (precision != forced_precision_) text_.clear(), vision_.reset();
  forced_precision_ = std::move(precision);
}

clip::Result<clip::EncoderChoice> ClipModel::choose(const clip::EncoderSpec& spec) const {
  auto chosen = forced_precision_.empty() ? spec_.choose_variant(spec, device_name(device_))
                                           : spec_.variant(spec, forced_precision_);
  if (!chosen.ok()) return clip::make_error(dir_ + "/model.json: " + chosen.message());
  return chosen;
}

clip::Result<std::string> ClipModel::encoder_file(const clip::EncoderSpec& spec) const {
  auto chosen = choose(spec);
  CLIP_TRY(chosen);
  return (fs::path(dir_) / chosen->file.path).string();
}

clip::Result<std::string> ClipModel::text_encoder_file(std::string_view language) const {
  auto tower = spec_.text_tower(language);
  CLIP_TRY(tower);
  return encoder_file((*tower)->encoder);
}

clip::Result<std::unique_ptr<Encoder>> ClipModel::open_encoder(const clip::EncoderSpec& spec) {
  auto chosen = choose(spec);
  CLIP_TRY(chosen);
  const clip::EncoderChoice& choice = *chosen;
  EncoderConfig cfg;
  cfg.path = (fs::path(dir_) / choice.file.path).string();
  cfg.device = device_;
  cfg.input_names = spec.input_names;
  cfg.output_name = spec.output_name;
  cfg.max_rows = choice.max_rows;
  cfg.intra_op_threads = intra_op_threads_;
  return Encoder::open(cfg);
}

clip::Result<Encoder*> ClipModel::text_encoder(const clip::TextTower& tower) {
  auto& slot = text_[tower.language];
  if (slot) return slot.get();
  auto enc = open_encoder(tower.encoder);
  CLIP_TRY(enc);
  const std::string file = fs::path((*enc)->path()).lexically_relative(dir_).generic_string();
  if (auto s = spec_.check_text_graph(tower, (*enc)->signature(), file); !s.ok())
    return clip::make_error(dir_ + ": " + s.message());
  slot = std::move(*enc);
  return slot.get();
}

clip::Status ClipModel::open_vision() {
  if (vision_) return clip::ok_status();
  auto enc = open_encoder(manifest().vision);
  CLIP_TRY(enc);
  const std::string file = fs::path((*enc)->path()).lexically_relative(dir_).generic_string();
  if (auto s = spec_.check_vision_graph((*enc)->signature(), file); !s.ok())
    return clip::make_error(dir_ + ": " + s.message());
  vision_ = std::move(*enc);
  return clip::ok_status();
}

clip::Result<std::vector<float>> ClipModel::embed_texts(const std::vector<std::string>& texts,
                                                        std::string_view language) {
  auto rows = tokenize(texts, language);
  CLIP_TRY(rows);
  return embed_token_rows(*rows, language);
}

clip::Result<std::vector<float>> ClipModel::embed_token_rows(const std::vector<std::vector<int32_t>>& rows,
                                                             std::string_view language) {
  auto tower = spec_.text_tower(language);
  CLIP_TRY(tower);
  auto enc = text_encoder(**tower);
  CLIP_TRY(enc);
  const size_t dim = manifest().embedding_dim;
  auto batches = spec_.text_batches(**tower, rows, (*enc)->signature(), (*enc)->max_rows());
  CLIP_TRY(batches);
  std::vector<float> out(rows.size() * dim);
  for (const clip::TextBatch& b : *batches) {
    auto emb = (*enc)->run_text(b);
    CLIP_TRY(emb);
    if (emb->size() != b.rows.size() * dim)
      return clip::make_error((*enc)->path() + ": returned " + std::to_string(emb->size()) + " floats, expected " +
                              std::to_string(b.rows.size() * dim));
    for (size_t g = 0; g < b.rows.size(); ++g) std::copy_n(emb->data() + g * dim, dim, out.data() + b.rows[g] * dim);
  }
  for (size_t r = 0; r < rows.size(); ++r) clip::l2_normalize(out.data() + r * dim, dim);
  return out;
}

clip::Result<std::vector<float>> ClipModel::embed_images(const float* pixels, size_t count) {
  CLIP_TRY(open_vision());
  const size_t dim = manifest().embedding_dim;
  auto emb = vision_->run_image(pixels, count, manifest().image.size);
  CLIP_TRY(emb);
  if (emb->size() != count * dim)
    return clip::make_error(vision_->path() + ": returned " + std::to_string(emb->size()) + " floats, expected " +
                            std::to_string(count * dim));
  for (size_t r = 0; r < count; ++r) clip::l2_normalize(emb->data() + r * dim, dim);
  return emb;
}

}  // namespace clipsearch
