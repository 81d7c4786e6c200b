// Words a text tower never saw in training. A model whose model.json lists
// the token ids its text tower was trained on (the demo model does) can say
// exactly which words of a query it cannot know: their tokens' embeddings
// are still their random initial values, so the query lands somewhere
// arbitrary and scores are meaningless ("the demo model does not know: dog").
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/text/clip_tokenizer.h"
#include "core/text/text_tokenizer.h"

namespace clip {

// The words of `text` (CLIP's pre-tokenizer pieces, normalised and
// lowercased, each once, in order) with a token id not in `known_ids`
// (sorted ascending). Only pieces with a letter or digit count: unknown
// punctuation ("!") is not reported. Special tokens are never unknown.
std::vector<std::string> unknown_words(const ClipTokenizer& tokenizer, std::string_view text,
                                       const std::vector<int32_t>& known_ids);
// The same over several texts (the positive text terms of a query), each
// word once, for any tower's tokenizer. Empty when `known_ids` is empty (the
// model does not say) or the tokenizer is not CLIP's BPE: the words are
// CLIP's pre-tokenizer pieces, which mean nothing to another tokenizer.
std::vector<std::string> unknown_words(const TextTokenizer& tokenizer, const std::vector<std::string>& texts,
                                       const std::vector<int32_t>& known_ids);

}  // namespace clip
