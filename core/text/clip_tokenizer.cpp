#include "core/text/clip_tokenizer.h"

#include <mutex>
#include <unordered_map>

#include "core/text/bpe.h"
#include "core/text/bpe_vocabulary.h"
#include "core/text/clip_pretokenize.h"

namespace clip {
namespace {

// Queries repeat their words, so BPE results are cached per word. The bounds
// keep hostile input from growing the cache without limit: it is emptied
// when full, and long words (rarely repeated) are not kept.
constexpr size_t kCacheMaxWords = 1 << 16;
constexpr size_t kCacheMaxWordBytes = 64;

}  // namespace

struct ClipTokenizer::Impl {
  BpeModel model;
  mutable std::mutex cache_mutex;  // std::mutex also builds (as a no-op) for single-threaded wasm
  mutable std::unordered_map<std::string, std::vector<int32_t>> cache;

  explicit Impl(BpeModel m) : model(std::move(m)) {}

  void encode_word(const std::string& word, std::vector<int32_t>& out) const {
    const bool cacheable = word.size() <= kCacheMaxWordBytes;
    if (cacheable) {
      std::lock_guard<std::mutex> lock(cache_mutex);
      auto it = cache.find(word);
      if (it != cache.end()) {
        out.insert(out.end(), it->second.begin(), it->second.end());
        return;
      }
    }
    const size_t first = out.size();
    model.encode_word(word, out);  // outside the lock: other threads keep going
    if (cacheable) {
      std::lock_guard<std::mutex> lock(cache_mutex);
      if (cache.size() >= kCacheMaxWords) cache.clear();
      cache.emplace(word, std::vector<int32_t>(out.begin() + first, out.end()));
    }
  }
};

ClipTokenizer::ClipTokenizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ClipTokenizer::ClipTokenizer(ClipTokenizer&&) noexcept = default;
ClipTokenizer& ClipTokenizer::operator=(ClipTokenizer&&) noexcept = default;
ClipTokenizer::~ClipTokenizer() = default;

Result<ClipTokenizer> ClipTokenizer::from_vocabulary(Result<BpeVocabulary> vocab, const char* format) {
  CLIP_TRY(vocab);  // the parsers name their file already
  Result<BpeModel> model = BpeModel::create(*vocab);
  if (!model) return make_error(std::string(format) + ": " + model.message());
  return ClipTokenizer(std::make_unique<Impl>(std::move(*model)));
}

Result<ClipTokenizer> ClipTokenizer::from_bpe_merges(std::string_view merges_text) {
  return from_vocabulary(parse_bpe_simple_vocab(merges_text), "bpe_simple_vocab");
}

Result<ClipTokenizer> ClipTokenizer::from_vocab_and_merges(std::string_view vocab_json,
                                                           std::string_view merges_txt) {
  return from_vocabulary(parse_vocab_json_and_merges(vocab_json, merges_txt), "vocab.json + merges.txt");
}

Result<ClipTokenizer> ClipTokenizer::from_tokenizer_json(std::string_view tokenizer_json) {
  return from_vocabulary(parse_tokenizer_json(tokenizer_json), "tokenizer.json");
}

std::vector<int32_t> ClipTokenizer::encode(std::string_view utf8, size_t context_length) const {
  const size_t max_content = context_length < 2 ? 0 : context_length - 2;
  std::vector<int32_t> ids{impl_->model.start_id()};

  const std::u32string normalized = clip_normalize(utf8);
  ClipPieces pieces(normalized);
  ClipPiece piece;
  // Words past the context are never encoded; the last one may overshoot.
  while (ids.size() - 1 < max_content && pieces.next(piece)) {
    switch (piece.kind) {
      case ClipPiece::Kind::kStartOfText: ids.push_back(impl_->model.start_id()); break;
      case ClipPiece::Kind::kEndOfText: ids.push_back(impl_->model.end_id()); break;
      case ClipPiece::Kind::kWord: impl_->encode_word(piece.word, ids); break;
    }
  }
  if (ids.size() - 1 > max_content) ids.resize(1 + max_content);
  ids.push_back(impl_->model.end_id());
  return ids;
}

int32_t ClipTokenizer::start_id() const { return impl_->model.start_id(); }
int32_t ClipTokenizer::end_id() const { return impl_->model.end_id(); }
size_t ClipTokenizer::vocab_size() const { return impl_->model.vocab_size(); }

}  // namespace clip
