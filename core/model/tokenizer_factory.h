// tokenizer.kind -> the tokenizer class that reads its files. The one place
// a tokenizer kind is known: model.json validation asks it how many files a
// kind takes, ModelSpec::make_tokenizer asks it to build one. A new kind
// (e.g. BERT WordPiece, "wordpiece", one vocab.txt) is one row in
// tokenizer_factory.cpp and a class implementing TextTokenizer.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/text/text_tokenizer.h"
#include "core/util/result.h"

namespace clip {

// Files a kind takes, 0 when the kind is unknown.
size_t tokenizer_file_count(std::string_view kind);
// "\"bpe_simple_vocab\", \"vocab_merges\" or \"tokenizer_json\"": for errors.
std::string known_tokenizer_kinds();

// `file_texts`: the contents of the kind's files, in model.json's order.
Result<std::unique_ptr<TextTokenizer>> make_tokenizer(std::string_view kind, const std::vector<std::string>& file_texts);

}  // namespace clip
