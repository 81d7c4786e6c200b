// ClipTokenizer::encode on hostile text with the real CLIP merges
// (models/clip-bpe/bpe_simple_vocab_16e6.txt, loaded once): ill-formed UTF-8,
// special-token look-alikes, long words. Checks the output contract: start
// and end tokens, ids in the vocabulary, truncation that keeps the end token
// and agrees with a longer context.
#include <string>

#include "core/text/clip_tokenizer.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

const clip::ClipTokenizer& tokenizer() {
  static const clip::ClipTokenizer* t = [] {
    const std::string path = CLIPSEARCH_SOURCE_DIR "/models/clip-bpe/bpe_simple_vocab_16e6.txt";
    clip::Result<clip::ClipTokenizer> r = clip::ClipTokenizer::from_bpe_merges(fuzz::read_source_file(path));
    FUZZ_CHECK(r.ok(), "cannot load %s: %s", path.c_str(), r.ok() ? "" : r.message().c_str());
    return new clip::ClipTokenizer(std::move(*r));
  }();
  return *t;
}

void check_ids(const std::vector<int32_t>& ids, size_t context) {
  const clip::ClipTokenizer& tok = tokenizer();
  FUZZ_CHECK(ids.size() >= 2 && ids.size() <= std::max<size_t>(context, 2), "%zu ids for context %zu", ids.size(),
             context);
  FUZZ_CHECK(ids.front() == tok.start_id() && ids.back() == tok.end_id(), "missing start or end token");
  for (int32_t id : ids) FUZZ_CHECK(id >= 0 && size_t(id) < tok.vocab_size(), "id %d outside the vocabulary", id);
}

}  // namespace

// Loading 48,894 merges takes seconds under the sanitizers: done before the
// first input, so libFuzzer's per-input timeout does not count it.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  tokenizer();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const clip::ClipTokenizer& tok = tokenizer();
  const std::vector<int32_t> ids = tok.encode(text);
  check_ids(ids, 77);
  FUZZ_CHECK(tok.encode(text) == ids, "encode is not deterministic (word cache)");

  // A longer context: the 77-token result is its prefix, then the end token.
  const std::vector<int32_t> longer = tok.encode(text, 1000);
  check_ids(longer, 1000);
  if (longer.size() <= 77) {
    FUZZ_CHECK(longer == ids, "a larger context changed a short result");
  } else {
    FUZZ_CHECK(ids.size() == 77 && std::equal(ids.begin(), ids.end() - 1, longer.begin()),
               "truncation is not a prefix of the longer encoding");
  }
  check_ids(tok.encode(text, 0), 2);
  return 0;
}
