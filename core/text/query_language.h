// Which text tower reads a query: `--lang en|zh|auto` on the command line,
// the language switch on the page. "auto" (or "") sends a query holding a
// CJK ideograph to the model's "zh" tower when it has one, anything else to
// the primary tower (the first language).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/util/result.h"

namespace clip {

// True when `utf8` holds at least one CJK ideograph (the blocks BERT's basic
// tokenizer splits one per token; ill-formed bytes are not ideographs).
bool has_cjk_ideograph(std::string_view utf8);

// `languages`: the model's tower languages, primary first (never empty).
// An explicit language the model lacks is an error naming the ones it has.
Result<std::string> pick_query_language(std::string_view utf8, std::string_view requested,
                                        const std::vector<std::string>& languages);

}  // namespace clip
