// BERT's basic tokenizer as Chinese-CLIP runs it (cn_clip/clip/bert_tokenizer.py,
// BasicTokenizer with do_lower_case): drop NUL, U+FFFD and control/format
// characters; white space to one space; a space either side of every CJK
// ideograph; split on Python's white space; then per word: Python's
// str.lower() (full mapping, Final_Sigma), NFD, drop nonspacing marks (Mn),
// and split off each punctuation character (category P*, and all ASCII
// symbols). WordPiece then splits the words it yields.
#pragma once
#include <string>
#include <string_view>

namespace clip {

// The CJK ideograph blocks BERT spaces out (its _is_chinese_char).
bool is_bert_cjk_ideograph(char32_t cp);

// Walks a text word by word (the text must outlive the walk), so a caller
// that needs only the first few words does not normalize the rest:
//   BertWords words(text);
//   for (std::u32string w; words.next(w);) ...
class BertWords {
 public:
  explicit BertWords(std::string_view utf8);
  // Fills `word` with the next word; false at the end of the text.
  bool next(std::u32string& word);

 private:
  // Reads the next white-space-separated token (a CJK ideograph is one by
  // itself) with the characters _clean_text drops already gone.
  bool next_token(std::u32string& token);
  // Lower-cases, strips accents and splits `token` into queue_.
  void split_token(const std::u32string& token);

  std::u32string text_;
  size_t pos_ = 0;
  std::u32string queue_;   // words waiting to be handed out, separated by U+0020
  size_t queue_pos_ = 0;
};

}  // namespace clip
