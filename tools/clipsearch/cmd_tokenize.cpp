// clipsearch tokenize: the model's CLIP tokenizer from the command line.
//   clipsearch tokenize "a photo of a dog"        -> [49406,320,1125,539,320,1929,49407]
//   printf '"a dog"\n"a cat"\n' | clipsearch tokenize --jsonl   -> one array per line
//   clipsearch tokenize --lang zh "红色的圆"   -> [101,5273,5682,4638,1749,102] (the model's zh tower;
//                                               without --lang, the primary tower's tokenizer)
//   clipsearch tokenize --wordpiece-vocab vocab.txt "红色的圆"  -> the same, with no model
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "core/text/wordpiece_tokenizer.h"
#include "tools/clipsearch/cli_common.h"
#include "tools/clipsearch/commands.h"
#include "tools/clipsearch/query_lang.h"
#include "tools/pipeline/file_io.h"

namespace clipsearch {
namespace {

struct Options {
  std::string model;
  std::string lang;
  std::string wordpiece_vocab;
  bool jsonl = false;
  std::string text;
};

std::string ids_json(const std::vector<int32_t>& ids) {
  std::string out = "[";
  for (size_t i = 0; i < ids.size(); ++i) out += (i ? "," : "") + std::to_string(ids[i]);
  return out + "]";
}

// Prints the ids of the text argument, or of each JSON string on stdin;
// `encode(text)` gives one text's ids or an error.
template <class Encode>
int print_ids(const Options& o, Encode encode) {
  auto print = [&](const std::string& text, const char* end) {
    auto ids = encode(text);
    if (!ids.ok()) return fail("tokenize", ids.message());
    std::cout << ids_json(*ids) << end;
    return 0;
  };
  if (!o.jsonl) return print(o.text, "\n");
  std::string line;
  for (size_t line_no = 1; std::getline(std::cin, line); ++line_no) {
    const auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!j.is_string())
      return fail("tokenize", "stdin line " + std::to_string(line_no) + ": expected a JSON string, e.g. \"a dog\"");
    // Flushed per line, so a caller can write a line and read its answer.
    if (int rc = print(j.get<std::string>(), "\n"); rc != 0) return rc;
    std::cout.flush();
  }
  return 0;
}

using Ids = clip::Result<std::vector<int32_t>>;

int run(const Options& o) {
  if (!o.wordpiece_vocab.empty()) {
    auto text = read_text_file(o.wordpiece_vocab, uint64_t(64) << 20);
    if (!text.ok()) return fail("tokenize", text.message());
    auto tok = clip::WordPieceTokenizer::from_vocab_txt(*text);
    if (!tok.ok()) return fail("tokenize", o.wordpiece_vocab + ": " + tok.message());
    return print_ids(o, [&](const std::string& t) -> Ids { return tok->encode(t); });
  }
  auto model = open_model(o.model);
  if (!model.ok()) return fail("tokenize", model.message());
  return print_ids(o, [&](const std::string& t) -> Ids {
    auto lang = text_language(*model, t, o.lang);
    CLIP_TRY(lang);
    auto tok = model->tokenizer(*lang);
    CLIP_TRY(tok);
    auto tower = model->spec().text_tower(*lang);
    CLIP_TRY(tower);
    return (*tok)->encode(t, (*tower)->tokenizer.context_length);
  });
}

CommandRegistrar reg("tokenize", "Print CLIP token ids (start and end tokens, no padding)", [](CLI::App& sub) {
  auto o = std::make_shared<Options>();
  sub.add_option("--model", o->model, "Model folder (default: the bundled demo model or $CLIPSEARCH_MODEL)");
  add_lang_option(sub, o->lang, "");
  sub.add_option("--wordpiece-vocab", o->wordpiece_vocab,
                 "Tokenize with this BERT WordPiece vocab.txt (Chinese-CLIP's rules, context 52) instead of a model");
  sub.add_flag("--jsonl", o->jsonl, "Read one JSON string per stdin line, print one JSON array per line");
  CLI::Option* text = sub.add_option("text", o->text, "Text to tokenize (without --jsonl)");
  return [o, text] {
    if (!o->jsonl && text->count() == 0) return fail("tokenize", "give a TEXT argument or --jsonl");
    return run(*o);
  };
});

}  // namespace
}  // namespace clipsearch
