#include "core/text/query_language.h"

#include <algorithm>

#include "core/text/bert_pretokenize.h"
#include "core/text/unicode.h"

namespace clip {

bool has_cjk_ideograph(std::string_view utf8) {
  std::u32string cps;
  unicode::decode_utf8(utf8, cps);
  return std::any_of(cps.begin(), cps.end(), is_bert_cjk_ideograph);
}

Result<std::string> pick_query_language(std::string_view utf8, std::string_view requested,
                                        const std::vector<std::string>& languages) {
  if (languages.empty()) return make_error("the model has no text tower");
  auto has = [&](std::string_view lang) { return std::find(languages.begin(), languages.end(), lang) != languages.end(); };
  if (requested.empty() || requested == "auto")
    return std::string(has("zh") && has_cjk_ideograph(utf8) ? "zh" : languages.front());
  if (has(requested)) return std::string(requested);
  std::string list;
  for (const std::string& l : languages) list += (list.empty() ? "" : ", ") + l;
  return make_error("language '" + std::string(requested) + "': this model's text towers read " + list +
                    " (or use auto)");
}

}  // namespace clip
