#include "core/text/unicode.h"

#include <algorithm>
#include <iterator>

namespace clip::unicode {
namespace {

struct LowerRun {
  char32_t first;
  uint16_t count;
  uint8_t stride;
  int32_t delta;
};
struct LowerSpecial {
  char32_t cp;
  char32_t lower[3];
};
struct CombiningClassRun {
  char32_t first, last;
  uint8_t ccc;
};
struct Decomposition {
  char32_t cp, first, second;
};
struct CodePointRun {
  char32_t first, last;
};

#include "core/text/unicode_tables.inc"

// Hangul syllables compose and decompose algorithmically (Unicode ch. 3.12).
constexpr char32_t kSBase = 0xAC00, kLBase = 0x1100, kVBase = 0x1161, kTBase = 0x11A7;
constexpr char32_t kLCount = 19, kVCount = 21, kTCount = 28;
constexpr char32_t kNCount = kVCount * kTCount, kSCount = kLCount * kNCount;

// Below U+0300 nothing decomposes and nothing combines, so such text is NFC.
constexpr char32_t kFirstNonNfcRelevant = 0x300;

const Decomposition* find_decomposition(char32_t cp) {
  auto end = std::end(kCanonicalDecompositions);
  auto it = std::lower_bound(std::begin(kCanonicalDecompositions), end, cp,
                             [](const Decomposition& d, char32_t c) { return d.cp < c; });
  return it != end && it->cp == cp ? it : nullptr;
}

void decompose(char32_t cp, std::u32string& out) {
  if (cp >= kSBase && cp < kSBase + kSCount) {
    char32_t s = cp - kSBase;
    out.push_back(kLBase + s / kNCount);
    out.push_back(kVBase + (s % kNCount) / kTCount);
    if (s % kTCount != 0) out.push_back(kTBase + s % kTCount);
    return;
  }
  const Decomposition* d = find_decomposition(cp);
  if (!d) {
    out.push_back(cp);
    return;
  }
  // The tables hold one level; the UCD nests at most a few deep.
  decompose(d->first, out);
  if (d->second) decompose(d->second, out);
}

template <size_t N>
bool in_runs(const CodePointRun (&runs)[N], char32_t cp) {
  auto it = std::upper_bound(std::begin(runs), std::end(runs), cp,
                             [](char32_t c, const CodePointRun& r) { return c < r.first; });
  return it != std::begin(runs) && cp <= (it - 1)->last;
}

// UAX #15 quick check: true when the text is certainly NFC already, as most
// text is; false when it may not be.
bool is_nfc_quick(std::u32string_view s) {
  uint8_t last_class = 0;
  for (char32_t c : s) {
    if (c < kFirstNonNfcRelevant) {
      last_class = 0;
      continue;
    }
    const uint8_t cls = combining_class(c);
    if (cls != 0 && last_class > cls) return false;
    if (in_runs(kNfcQuickCheckRuns, c)) return false;
    last_class = cls;
  }
  return true;
}

// Canonical ordering: each maximal run of non-starters sorted stably by
// class (a sort, not pairwise swaps, so a hostile run of marks stays n log n).
void reorder(std::u32string& s) {
  size_t i = 0;
  while (i < s.size()) {
    if (combining_class(s[i]) == 0) {
      ++i;
      continue;
    }
    size_t end = i + 1;
    while (end < s.size() && combining_class(s[end]) != 0) ++end;
    if (end - i > 1)
      std::stable_sort(s.begin() + i, s.begin() + end,
                       [](char32_t a, char32_t b) { return combining_class(a) < combining_class(b); });
    i = end;
  }
}

// The primary composite of (a, b), or 0.
char32_t compose_pair(char32_t a, char32_t b) {
  if (a >= kLBase && a < kLBase + kLCount && b >= kVBase && b < kVBase + kVCount)
    return kSBase + ((a - kLBase) * kVCount + (b - kVBase)) * kTCount;
  if (a >= kSBase && a < kSBase + kSCount && (a - kSBase) % kTCount == 0 && b > kTBase &&
      b < kTBase + kTCount)
    return a + (b - kTBase);
  auto less = [](uint16_t i, std::pair<char32_t, char32_t> key) {
    const Decomposition& d = kCanonicalDecompositions[i];
    return d.first != key.first ? d.first < key.first : d.second < key.second;
  };
  auto end = std::end(kCompositionOrder);
  auto it = std::lower_bound(std::begin(kCompositionOrder), end, std::make_pair(a, b), less);
  if (it == end) return 0;
  const Decomposition& d = kCanonicalDecompositions[*it];
  return d.first == a && d.second == b ? d.cp : 0;
}

// Canonical composition in place (the UAX #15 reference algorithm).
void compose(std::u32string& s) {
  if (s.empty()) return;
  size_t starter = 0;
  bool have_starter = combining_class(s[0]) == 0;  // text may start with combining marks
  int last_class = 0;
  size_t out = 1;
  for (size_t i = 1; i < s.size(); ++i) {
    char32_t c = s[i];
    int cls = combining_class(c);
    // c joins the starter unless blocked by a mark in between of class >= its own.
    char32_t composite = have_starter ? compose_pair(s[starter], c) : 0;
    if (composite && (last_class < cls || last_class == 0)) {
      s[starter] = composite;
      continue;
    }
    if (cls == 0) starter = out, have_starter = true;
    last_class = cls;
    s[out++] = c;
  }
  s.resize(out);
}

}  // namespace

const char* version() { return kUnicodeVersion; }

void decode_utf8(std::string_view utf8, std::u32string& out) {
  const auto* p = reinterpret_cast<const uint8_t*>(utf8.data());
  const size_t n = utf8.size();
  size_t i = 0;
  while (i < n) {
    uint8_t b = p[i];
    if (b < 0x80) {
      out.push_back(b);
      ++i;
      continue;
    }
    // Length and the allowed range of the second byte (excludes overlongs,
    // surrogates and values above U+10FFFF).
    size_t len = 0;
    uint8_t lo = 0x80, hi = 0xBF;
    char32_t cp = 0;
    if (b >= 0xC2 && b <= 0xDF) {
      len = 2, cp = b & 0x1F;
    } else if (b >= 0xE0 && b <= 0xEF) {
      len = 3, cp = b & 0x0F;
      if (b == 0xE0) lo = 0xA0;
      if (b == 0xED) hi = 0x9F;
    } else if (b >= 0xF0 && b <= 0xF4) {
      len = 4, cp = b & 0x07;
      if (b == 0xF0) lo = 0x90;
      if (b == 0xF4) hi = 0x8F;
    }
    size_t k = 1;
    for (; len && k < len && i + k < n; ++k) {
      uint8_t c = p[i + k];
      if (c < lo || c > hi) break;
      lo = 0x80, hi = 0xBF;
      cp = cp << 6 | (c & 0x3F);
    }
    if (len && k == len) {
      out.push_back(cp);
      i += len;
    } else {
      out.push_back(kReplacementChar);
      i += k;  // the maximal ill-formed subpart: lead byte + valid continuations
    }
  }
}

void append_utf8(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | cp >> 6));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | cp >> 12));
    out.push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | cp >> 18));
    out.push_back(static_cast<char>(0x80 | (cp >> 12 & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string encode_utf8(std::u32string_view cps) {
  std::string out;
  out.reserve(cps.size());
  for (char32_t cp : cps) append_utf8(cp, out);
  return out;
}

CharClass char_class(char32_t cp) {
  if (cp < 0x80) {  // the common case, without the search
    if ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') return CharClass::kLetter;
    if (cp >= '0' && cp <= '9') return CharClass::kNumber;
    if (cp == ' ' || (cp >= '\t' && cp <= '\r')) return CharClass::kSpace;
    return CharClass::kOther;
  }
  const uint32_t key = static_cast<uint32_t>(cp) << 2 | 3;
  auto it = std::upper_bound(std::begin(kClassRanges), std::end(kClassRanges), key);
  // kClassRanges starts at code point 0, so `it` is never the first entry.
  return static_cast<CharClass>(*(it - 1) & 3);
}

void append_lowercase(char32_t cp, std::u32string& out) {
  if (cp < 0x80) {
    out.push_back(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
    return;
  }
  for (const LowerSpecial& s : kLowerSpecial) {
    if (s.cp == cp) {
      for (char32_t c : s.lower)
        if (c) out.push_back(c);
      return;
    }
  }
  auto it = std::upper_bound(std::begin(kLowerRuns), std::end(kLowerRuns), cp,
                             [](char32_t c, const LowerRun& r) { return c < r.first; });
  if (it != std::begin(kLowerRuns)) {
    const LowerRun& r = *(it - 1);
    char32_t offset = cp - r.first;
    if (offset % r.stride == 0 && offset / r.stride < r.count) {
      out.push_back(static_cast<char32_t>(static_cast<int32_t>(cp) + r.delta));
      return;
    }
  }
  out.push_back(cp);
}

GeneralCategory general_category(char32_t cp) {
  if (cp > 0x10FFFF) return GeneralCategory::kCn;
  const uint32_t key = static_cast<uint32_t>(cp) << 5 | 31;
  auto it = std::upper_bound(std::begin(kGeneralCategoryRanges), std::end(kGeneralCategoryRanges), key);
  // The ranges start at code point 0, so `it` is never the first entry.
  return static_cast<GeneralCategory>(*(it - 1) & 31);
}

bool is_punctuation_category(GeneralCategory gc) {
  return gc >= GeneralCategory::kPc && gc <= GeneralCategory::kPo;
}

bool is_cased(char32_t cp) { return in_runs(kCasedRuns, cp); }
bool is_case_ignorable(char32_t cp) { return in_runs(kCaseIgnorableRuns, cp); }
bool is_python_space(char32_t cp) { return in_runs(kPythonSpaceRuns, cp); }

uint8_t combining_class(char32_t cp) {
  if (cp < kFirstNonNfcRelevant) return 0;
  auto it = std::upper_bound(std::begin(kCombiningClassRuns), std::end(kCombiningClassRuns), cp,
                             [](char32_t c, const CombiningClassRun& r) { return c < r.first; });
  if (it == std::begin(kCombiningClassRuns)) return 0;
  const CombiningClassRun& r = *(it - 1);
  return cp <= r.last ? r.ccc : 0;
}

std::u32string to_nfc(std::u32string_view cps) {
  if (is_nfc_quick(cps)) return std::u32string(cps);
  std::u32string s;
  s.reserve(cps.size() + 8);
  for (char32_t cp : cps) decompose(cp, s);
  reorder(s);
  compose(s);
  return s;
}

std::u32string to_nfd(std::u32string_view cps) {
  std::u32string s;
  s.reserve(cps.size() + 8);
  for (char32_t cp : cps) decompose(cp, s);
  reorder(s);
  return s;
}

}  // namespace clip::unicode
