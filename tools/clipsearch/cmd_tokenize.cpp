// clipsearch tokenize: the model's CLIP tokenizer from the command line.
//   clipsearch tokenize "a photo of a dog"        -> [49406,320,1125,539,320,1929,49407]
//   printf '"a dog"\n"a cat"\n' | clipsearch tokenize --jsonl   -> one array per line
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "tools/clipsearch/cli_common.h"
#include "tools/clipsearch/commands.h"

namespace clipsearch {
namespace {

struct Options {
  std::string model;
  bool jsonl = false;
  std::string text;
};

std::string ids_json(const std::vector<int32_t>& ids) {
  std::string out = "[";
  for (size_t i = 0; i < ids.size(); ++i) out += (i ? "," : "") + std::to_string(ids[i]);
  return out + "]";
}

int run(const Options& o) {
  auto model = open_model(o.model);
  if (!model.ok()) return fail("tokenize", model.message());
  const auto& tok = model->tokenizer();
  const size_t context = model->manifest().context_length;
  if (!o.jsonl) {
    std::cout << ids_json(tok.encode(o.text, context)) << "\n";
    return 0;
  }
  std::string line;
  for (size_t line_no = 1; std::getline(std::cin, line); ++line_no) {
    const auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!j.is_string())
      return fail("tokenize", "stdin line " + std::to_string(line_no) + ": expected a JSON string, e.g. \"a dog\"");
    // Flushed per line, so a caller can write a line and read its answer.
    std::cout << ids_json(tok.encode(j.get<std::string>(), context)) << std::endl;
  }
  return 0;
}

CommandRegistrar reg("tokenize", "Print CLIP token ids (start and end tokens, no padding)", [](CLI::App& sub) {
  auto o = std::make_shared<Options>();
  sub.add_option("--model", o->model, "Model folder (default: the bundled demo model or $CLIPSEARCH_MODEL)");
  sub.add_flag("--jsonl", o->jsonl, "Read one JSON string per stdin line, print one JSON array per line");
  CLI::Option* text = sub.add_option("text", o->text, "Text to tokenize (without --jsonl)");
  return [o, text] {
    if (!o->jsonl && text->count() == 0) return fail("tokenize", "give a TEXT argument or --jsonl");
    return run(*o);
  };
});

}  // namespace
}  // namespace clipsearch
