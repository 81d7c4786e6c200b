// Byte-level BPE with an end-of-word suffix, as CLIP uses it: a word's UTF-8
// bytes become symbols of the GPT-2 byte alphabet, the last one carrying
// "</w>", and merges are applied by rank until none applies.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/text/bpe_vocabulary.h"
#include "core/util/result.h"

namespace clip {

inline constexpr std::string_view kEndOfWordSuffix = "</w>";
inline constexpr std::string_view kStartOfTextToken = "<|startoftext|>";
inline constexpr std::string_view kEndOfTextToken = "<|endoftext|>";

// The printable code point that stands for byte b in BPE symbols (GPT-2's
// bytes_to_unicode): printable Latin-1 bytes stand for themselves, the other
// 68 map in byte order to U+0100 onwards.
char32_t byte_to_unicode(uint8_t b);

class BpeModel {
 public:
  // Resolves every byte symbol, merge and special token to an id; fails with
  // the first one missing from the vocabulary.
  static Result<BpeModel> create(const BpeVocabulary& vocab);

  // Appends the ids of one pre-tokenized word (raw UTF-8 bytes, non-empty).
  void encode_word(std::string_view word, std::vector<int32_t>& out) const;

  int32_t start_id() const { return start_id_; }
  int32_t end_id() const { return end_id_; }
  size_t vocab_size() const { return vocab_size_; }

 private:
  struct MergeTarget {
    uint32_t rank;
    int32_t merged;
  };
  static uint64_t pair_key(int32_t left, int32_t right) {
    return static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32 | static_cast<uint32_t>(right);
  }
  const MergeTarget* find_merge(int32_t left, int32_t right) const;

  std::array<int32_t, 256> byte_ids_{};      // byte -> id of its symbol
  std::array<int32_t, 256> byte_eow_ids_{};  // the same with </w>
  std::unordered_map<uint64_t, MergeTarget> merges_;
  int32_t start_id_ = 0;
  int32_t end_id_ = 0;
  size_t vocab_size_ = 0;
};

}  // namespace clip
