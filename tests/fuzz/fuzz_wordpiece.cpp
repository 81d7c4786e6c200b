// WordPieceTokenizer::encode on hostile text with Chinese-CLIP's vocabulary
// (tests/data/text/wordpiece_vocab.txt, loaded once): ill-formed UTF-8,
// controls, combining-mark runs, long words, mixed scripts. Checks the output
// contract: [CLS] first, [SEP] last, ids in the vocabulary, [CLS]/[SEP]
// nowhere else, truncation that agrees with a longer context.
#include <algorithm>
#include <string>

#include "core/text/wordpiece_tokenizer.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

const clip::WordPieceTokenizer& tokenizer() {
  static const clip::WordPieceTokenizer* t = [] {
    const std::string path = CLIPSEARCH_SOURCE_DIR "/tests/data/text/wordpiece_vocab.txt";
    clip::Result<clip::WordPieceTokenizer> r = clip::WordPieceTokenizer::from_vocab_txt(fuzz::read_source_file(path));
    FUZZ_CHECK(r.ok(), "cannot load %s: %s", path.c_str(), r.ok() ? "" : r.message().c_str());
    return new clip::WordPieceTokenizer(std::move(*r));
  }();
  return *t;
}

void check_ids(const std::vector<int32_t>& ids, size_t context) {
  const clip::WordPieceTokenizer& tok = tokenizer();
  FUZZ_CHECK(ids.size() >= 2 && ids.size() <= std::max<size_t>(context, 2), "%zu ids for context %zu", ids.size(),
             context);
  FUZZ_CHECK(ids.front() == tok.start_id() && ids.back() == tok.end_id(), "missing [CLS] or [SEP]");
  for (size_t i = 0; i < ids.size(); ++i) {
    FUZZ_CHECK(ids[i] >= 0 && size_t(ids[i]) < tok.vocab_size(), "id %d outside the vocabulary", ids[i]);
    // Text cannot spell a special token: "[CLS]" splits into "[", "cls", "]".
    if (i > 0 && i + 1 < ids.size())
      FUZZ_CHECK(ids[i] != tok.start_id() && ids[i] != tok.end_id(), "special id %d inside the text", ids[i]);
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  tokenizer();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const clip::WordPieceTokenizer& tok = tokenizer();
  const std::vector<int32_t> ids = tok.encode(text);
  check_ids(ids, clip::WordPieceTokenizer::kDefaultContextLength);
  FUZZ_CHECK(tok.encode(text) == ids, "encode is not deterministic");

  // A longer context: the 52-id result is its prefix, then [SEP].
  const std::vector<int32_t> longer = tok.encode(text, 1000);
  check_ids(longer, 1000);
  if (longer.size() <= ids.size()) {
    FUZZ_CHECK(longer == ids, "a larger context changed a short result");
  } else {
    FUZZ_CHECK(ids.size() == 52 && std::equal(ids.begin(), ids.end() - 1, longer.begin()),
               "truncation is not a prefix of the longer encoding");
  }
  check_ids(tok.encode(text, 0), 2);
  return 0;
}
