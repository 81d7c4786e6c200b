#include "tools/clipsearch/query_lang.h"

#include <algorithm>
#include <map>

#include "core/text/query_language.h"

namespace clipsearch {

CLI::Option* add_lang_option(CLI::App& sub, std::string& value, const std::string& fallback) {
  value = fallback;
  return sub.add_option("--lang", value,
                        "Text tower: en, zh or auto (a text with Chinese characters goes to the zh tower)" +
                            std::string(fallback.empty() ? "; default: the model's primary tower" : "; default: auto"));
}

clip::Result<std::string> text_language(const ClipModel& model, std::string_view text, const std::string& requested) {
  if (requested.empty()) return model.spec().languages().front();
  auto lang = clip::pick_query_language(text, requested, model.spec().languages());
  if (!lang.ok()) return clip::make_error(model.dir() + ": " + lang.message());
  return lang;
}

clip::Result<std::vector<float>> embed_texts_by_language(ClipModel& model, const std::vector<std::string>& texts,
                                                         const std::string& requested) {
  std::map<std::string, std::vector<size_t>> by_language;
  for (size_t i = 0; i < texts.size(); ++i) {
    auto lang = text_language(model, texts[i], requested);
    CLIP_TRY(lang);
    by_language[*lang].push_back(i);
  }
  const size_t dim = model.manifest().embedding_dim;
  std::vector<float> out(texts.size() * dim);
  for (const auto& [lang, members] : by_language) {
    std::vector<std::string> group;
    for (size_t i : members) group.push_back(texts[i]);
    auto emb = model.embed_texts(group, lang);
    CLIP_TRY(emb);
    for (size_t g = 0; g < members.size(); ++g)
      std::copy_n(emb->data() + g * dim, dim, out.data() + members[g] * dim);
  }
  return out;
}

}  // namespace clipsearch
