// --lang en|zh|auto on the commands that read text (search, embed, tokenize):
// which of the model's text towers reads each text. auto (the default) sends
// a text with CJK ideographs to the "zh" tower when the model has one.
#pragma once
#include <CLI/CLI.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/result.h"
#include "tools/ort/clip_model.h"

namespace clipsearch {

// `fallback` "auto" (search, embed) or "" (tokenize: the primary tower, so
// its default output stays the model's own tokenizer's).
CLI::Option* add_lang_option(CLI::App& sub, std::string& value, const std::string& fallback = "auto");

// The tower language for `text`, checked against the model's towers; ""
// is the primary tower.
clip::Result<std::string> text_language(const ClipModel& model, std::string_view text, const std::string& requested);

// Embeds texts that may go to different towers: each text by the tower
// text_language() picks, returned in the callers' order.
clip::Result<std::vector<float>> embed_texts_by_language(ClipModel& model, const std::vector<std::string>& texts,
                                                         const std::string& requested);

}  // namespace clipsearch
