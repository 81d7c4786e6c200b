#include "core/text/bpe.h"

#include <algorithm>

#include "core/text/unicode.h"

namespace clip {
namespace {

constexpr bool is_printable_byte(int b) {
  return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
}

constexpr std::array<char32_t, 256> make_byte_alphabet() {
  std::array<char32_t, 256> table{};
  char32_t next = 256;
  for (int b = 0; b < 256; ++b) table[b] = is_printable_byte(b) ? b : next++;
  return table;
}
constexpr std::array<char32_t, 256> kByteAlphabet = make_byte_alphabet();

// The id of `token`, or -1.
int32_t find_id(const BpeVocabulary& vocab, const std::string& token) {
  auto it = vocab.ids.find(token);
  return it == vocab.ids.end() ? -1 : it->second;
}

Error missing(const std::string& why, const std::string& token) {
  return make_error(why + ": token '" + token + "' is not in the vocabulary");
}

}  // namespace

char32_t byte_to_unicode(uint8_t b) { return kByteAlphabet[b]; }

Result<BpeModel> BpeModel::create(const BpeVocabulary& vocab) {
  BpeModel m;
  if (vocab.ids.empty()) return make_error("empty vocabulary");
  int32_t max_id = 0;
  for (const auto& [token, id] : vocab.ids) {
    if (id < 0) return make_error("token '" + token + "' has negative id " + std::to_string(id));
    max_id = std::max(max_id, id);
  }
  m.vocab_size_ = static_cast<size_t>(max_id) + 1;

  for (int b = 0; b < 256; ++b) {
    std::string symbol;
    unicode::append_utf8(byte_to_unicode(static_cast<uint8_t>(b)), symbol);
    const std::string with_suffix = symbol + std::string(kEndOfWordSuffix);
    m.byte_ids_[b] = find_id(vocab, symbol);
    m.byte_eow_ids_[b] = find_id(vocab, with_suffix);
    if (m.byte_ids_[b] < 0) return missing("byte " + std::to_string(b), symbol);
    if (m.byte_eow_ids_[b] < 0) return missing("byte " + std::to_string(b), with_suffix);
  }

  m.merges_.reserve(vocab.merges.size());
  std::string joined;
  for (size_t i = 0; i < vocab.merges.size(); ++i) {
    const auto& [left, right] = vocab.merges[i];
    joined.assign(left).append(right);
    const int32_t ids[3] = {find_id(vocab, left), find_id(vocab, right), find_id(vocab, joined)};
    for (int k = 0; k < 3; ++k) {
      if (ids[k] < 0)
        return missing("merge " + std::to_string(i + 1) + " ('" + left + "' '" + right + "')",
                       k == 0 ? left : k == 1 ? right : joined);
    }
    // A repeated pair takes its later rank, as OpenAI's dict and HF's map do.
    m.merges_[pair_key(ids[0], ids[1])] = MergeTarget{static_cast<uint32_t>(i), ids[2]};
  }

  m.start_id_ = find_id(vocab, std::string(kStartOfTextToken));
  if (m.start_id_ < 0) return missing("start token", std::string(kStartOfTextToken));
  m.end_id_ = find_id(vocab, std::string(kEndOfTextToken));
  if (m.end_id_ < 0) return missing("end token", std::string(kEndOfTextToken));
  return m;
}

const BpeModel::MergeTarget* BpeModel::find_merge(int32_t left, int32_t right) const {
  auto it = merges_.find(pair_key(left, right));
  return it == merges_.end() ? nullptr : &it->second;
}

// Lowest rank first, leftmost among equal ranks: the order of Hugging Face's
// BPE (word.rs), which is what the golden ids were made with. A heap keeps a
// hostile 1 MB word at O(n log n).
void BpeModel::encode_word(std::string_view word, std::vector<int32_t>& out) const {
  const size_t n = word.size();
  if (n == 0) return;
  struct Symbol {
    int32_t id;  // -1 once merged into its left neighbour
    int32_t prev, next;
  };
  std::vector<Symbol> symbols(n);
  for (size_t i = 0; i < n; ++i) {
    const uint8_t b = static_cast<uint8_t>(word[i]);
    symbols[i] = {i + 1 == n ? byte_eow_ids_[b] : byte_ids_[b], static_cast<int32_t>(i) - 1,
                  i + 1 == n ? -1 : static_cast<int32_t>(i) + 1};
  }

  struct Candidate {
    uint32_t rank;
    int32_t pos;  // left symbol of the pair
    bool operator>(const Candidate& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
  };
  std::vector<Candidate> heap;
  auto push = [&](int32_t pos) {
    const MergeTarget* m = find_merge(symbols[pos].id, symbols[symbols[pos].next].id);
    if (!m) return;
    heap.push_back({m->rank, pos});
    std::push_heap(heap.begin(), heap.end(), std::greater<>());
  };
  for (size_t i = 0; i + 1 < n; ++i) push(static_cast<int32_t>(i));

  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), std::greater<>());
    const Candidate c = heap.back();
    heap.pop_back();
    Symbol& a = symbols[c.pos];
    if (a.id < 0 || a.next < 0) continue;
    Symbol& b = symbols[a.next];
    const MergeTarget* m = find_merge(a.id, b.id);
    if (!m || m->rank != c.rank) continue;  // stale: a neighbour changed since the push
    a.id = m->merged;
    b.id = -1;
    a.next = b.next;
    if (a.next >= 0) symbols[a.next].prev = c.pos;
    if (a.prev >= 0) push(a.prev);
    if (a.next >= 0) push(c.pos);
  }
  for (int32_t i = 0; i >= 0; i = symbols[i].next) out.push_back(symbols[i].id);
}

}  // namespace clip
