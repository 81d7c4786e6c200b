#include "core/text/wordpiece_tokenizer.h"

#include <algorithm>
#include <string>
#include <unordered_map>

#include "core/text/bert_pretokenize.h"
#include "core/text/unicode.h"

namespace clip {
namespace {

// Python's str.strip(): its white space, both ends.
std::u32string_view strip_python_space(std::u32string_view s) {
  while (!s.empty() && unicode::is_python_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && unicode::is_python_space(s.back())) s.remove_suffix(1);
  return s;
}

// The next line of `text` from `pos` as Python's text-mode readline() splits
// lines: at LF, CR LF or a lone CR.
std::string_view next_line(std::string_view text, size_t& pos) {
  const size_t start = pos;
  const size_t end = std::min(text.find_first_of("\r\n", start), text.size());
  pos = end;
  if (pos < text.size()) pos += text[pos] == '\r' && pos + 1 < text.size() && text[pos + 1] == '\n' ? 2 : 1;
  return text.substr(start, end - start);
}

}  // namespace

struct WordPieceTokenizer::Impl {
  std::unordered_map<std::string, int32_t> vocab;  // UTF-8 token -> id
  size_t lines = 0;
  size_t max_token_chars = 0;  // longest token in code points: longer substrings cannot match
  int32_t cls = -1, sep = -1, unk = -1, pad = -1;

  int32_t find(const std::string& token) const {
    auto it = vocab.find(token);
    return it == vocab.end() ? -1 : it->second;
  }

  // Greedy longest-match-first WordPiece of one word; false when some
  // position has no match (the whole word is then [UNK]).
  bool encode_word(const std::u32string& word, std::vector<int32_t>& out) const {
    std::string piece;
    size_t start = 0;
    while (start < word.size()) {
      int32_t id = -1;
      size_t end = std::min(word.size(), start + max_token_chars);
      for (; end > start; --end) {
        piece.assign(start > 0 ? "##" : "");
        for (size_t i = start; i < end; ++i) unicode::append_utf8(word[i], piece);
        id = find(piece);
        if (id >= 0) break;
      }
      if (id < 0) return false;
      out.push_back(id);
      start = end;
    }
    return true;
  }
};

WordPieceTokenizer::WordPieceTokenizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WordPieceTokenizer::WordPieceTokenizer(WordPieceTokenizer&&) noexcept = default;
WordPieceTokenizer& WordPieceTokenizer::operator=(WordPieceTokenizer&&) noexcept = default;
WordPieceTokenizer::~WordPieceTokenizer() = default;

Result<WordPieceTokenizer> WordPieceTokenizer::from_vocab_txt(std::string_view text) {
  auto impl = std::make_unique<Impl>();
  std::u32string cps;
  for (size_t pos = 0; pos < text.size();) {
    const std::string_view line = next_line(text, pos);
    const size_t line_no = impl->lines + 1;
    if (impl->lines >= static_cast<size_t>(INT32_MAX))
      return make_error("vocab.txt: more than 2^31 lines at line " + std::to_string(line_no));
    cps.clear();
    unicode::decode_utf8(line, cps);
    if (unicode::encode_utf8(cps) != line)  // the reference reads the file as strict UTF-8
      return make_error("vocab.txt: line " + std::to_string(line_no) + " is not valid UTF-8");
    const std::u32string_view token = strip_python_space(cps);
    const int32_t id = static_cast<int32_t>(impl->lines++);
    const std::string utf8 = unicode::encode_utf8(token);
    impl->vocab[utf8] = id;
    const size_t chars = token.size() - (utf8.compare(0, 2, "##") == 0 ? 2 : 0);
    impl->max_token_chars = std::max(impl->max_token_chars, chars);
  }
  if (impl->lines == 0) return make_error("vocab.txt: empty (expected one token per line)");
  impl->cls = impl->find("[CLS]");
  impl->sep = impl->find("[SEP]");
  impl->unk = impl->find("[UNK]");
  impl->pad = impl->find("[PAD]");
  for (const char* special : {"[CLS]", "[SEP]", "[UNK]"})
    if (impl->find(special) < 0)
      return make_error(std::string("vocab.txt: no ") + special + " token (" + std::to_string(impl->lines) +
                        " lines read; expected a BERT WordPiece vocabulary)");
  return WordPieceTokenizer(std::move(impl));
}

std::vector<int32_t> WordPieceTokenizer::encode(std::string_view utf8, size_t context_length) const {
  const size_t max_content = std::max<size_t>(context_length, 2) - 2;
  std::vector<int32_t> ids{impl_->cls};
  BertWords words(utf8);
  for (std::u32string word; ids.size() - 1 < max_content && words.next(word);) {
    const size_t before = ids.size();
    if (word.size() > kMaxWordChars || !impl_->encode_word(word, ids)) {
      ids.resize(before);
      ids.push_back(impl_->unk);
    }
  }
  ids.resize(std::min(ids.size(), max_content + 1));
  ids.push_back(impl_->sep);
  return ids;
}

int32_t WordPieceTokenizer::start_id() const { return impl_->cls; }
int32_t WordPieceTokenizer::end_id() const { return impl_->sep; }
int32_t WordPieceTokenizer::unknown_id() const { return impl_->unk; }
int32_t WordPieceTokenizer::pad_id() const { return impl_->pad; }
size_t WordPieceTokenizer::vocab_size() const { return impl_->lines; }

}  // namespace clip
