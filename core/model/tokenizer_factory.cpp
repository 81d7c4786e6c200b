#include "core/model/tokenizer_factory.h"

#include "core/text/clip_tokenizer.h"
#include "core/text/wordpiece_tokenizer.h"

namespace clip {
namespace {

using Texts = std::vector<std::string>;

template <class T>
Result<std::unique_ptr<TextTokenizer>> boxed(Result<T> r) {
  CLIP_TRY(r);
  return std::unique_ptr<TextTokenizer>(new T(std::move(r).value()));
}

struct Kind {
  const char* name;
  size_t files;
  Result<std::unique_ptr<TextTokenizer>> (*load)(const Texts& texts);
};

const Kind kKinds[] = {
    // OpenAI's bpe_simple_vocab_16e6.txt
    {"bpe_simple_vocab", 1, [](const Texts& t) { return boxed(ClipTokenizer::from_bpe_merges(t[0])); }},
    // Hugging Face vocab.json + merges.txt
    {"vocab_merges", 2, [](const Texts& t) { return boxed(ClipTokenizer::from_vocab_and_merges(t[0], t[1])); }},
    // Hugging Face tokenizer.json
    {"tokenizer_json", 1, [](const Texts& t) { return boxed(ClipTokenizer::from_tokenizer_json(t[0])); }},
    // BERT's vocab.txt, read with Chinese-CLIP's rules (docs/TOKENIZER.md)
    {"wordpiece", 1, [](const Texts& t) { return boxed(WordPieceTokenizer::from_vocab_txt(t[0])); }},
};

const Kind* find_kind(std::string_view name) {
  for (const Kind& k : kKinds)
    if (name == k.name) return &k;
  return nullptr;
}

}  // namespace

size_t tokenizer_file_count(std::string_view kind) {
  const Kind* k = find_kind(kind);
  return k ? k->files : 0;
}

std::string known_tokenizer_kinds() {
  std::string out;
  const size_t n = sizeof kKinds / sizeof kKinds[0];
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) out += i + 1 == n ? " or " : ", ";
    out += std::string("\"") + kKinds[i].name + "\"";
  }
  return out;
}

Result<std::unique_ptr<TextTokenizer>> make_tokenizer(std::string_view kind, const Texts& file_texts) {
  const Kind* k = find_kind(kind);
  if (!k) return make_error("unknown tokenizer kind \"" + std::string(kind) + "\" (expected " + known_tokenizer_kinds() + ")");
  if (file_texts.size() != k->files)
    return make_error("tokenizer kind \"" + std::string(kind) + "\" takes " + std::to_string(k->files) +
                      " file(s), got " + std::to_string(file_texts.size()));
  return k->load(file_texts);
}

}  // namespace clip
