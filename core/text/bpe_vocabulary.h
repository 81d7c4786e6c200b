// What every tokenizer file format boils down to: token strings with ids and
// the ordered merge list. The loaders (vocab_loaders.cpp) produce it; BpeModel
// (bpe.h) checks it and compiles it to ids.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/util/result.h"

namespace clip {

struct BpeVocabulary {
  std::unordered_map<std::string, int32_t> ids;             // token -> id
  std::vector<std::pair<std::string, std::string>> merges;  // highest priority first
};

// OpenAI's bpe_simple_vocab_16e6.txt: a version line, then merges. The vocab
// is implied: the 256 byte symbols, the same with </w>, the first 48894 merges
// joined, then <|startoftext|> and <|endoftext|>.
Result<BpeVocabulary> parse_bpe_simple_vocab(std::string_view text);
// Hugging Face vocab.json (token -> id) + merges.txt ("#version" line, merges).
Result<BpeVocabulary> parse_vocab_json_and_merges(std::string_view vocab_json,
                                                  std::string_view merges_txt);
// Hugging Face tokenizer.json: model.vocab, model.merges ("a b" strings or
// ["a", "b"] pairs) and added_tokens. Refuses models that are not CLIP-style
// BPE (type other than BPE, end_of_word_suffix other than </w>).
Result<BpeVocabulary> parse_tokenizer_json(std::string_view json_text);

}  // namespace clip
