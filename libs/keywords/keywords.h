#pragma once
// AN-4 keywords / word cloud: the terms of a feedback text (Chinese and
// English), for counting how many texts mention each term.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"

namespace fbl::keywords {

// Splits text into normalised terms. Immutable after Create(); Terms() is
// const and thread-safe (each thread uses its own ICU BreakIterator).
//
// What a term is (README.md, "How terms are made", has the reasons):
//   1. The text is folded as libs/phrase folds it: NFKC + case fold,
//      traditional -> simplified, white space collapsed (ill-formed UTF-8
//      becomes U+FFFD, which is then dropped like any symbol).
//   2. PII placeholders written by fbl::text::MaskPii ("[PHONE]", "[EMAIL]",
//      "[ID_CARD]", "[BANK_CARD]", any case, full-width brackets too) and URLs
//      (http://, https://, www. up to the next space) are blanked out.
//   3. ICU's word BreakIterator (locale zh_CN, CJK dictionary) segments.
//   4. Adjacent Chinese tokens that ICU split but a built-in list of review
//      words joins are merged (送+餐 -> 送餐, 闪+退 -> 闪退, 性+价+比 -> 性价比,
//      also 在京|东 -> 在 京东); a negator (不 没 也不 都没 不怎么 ...) is
//      joined to the next non-stop word of at most two characters, across a
//      softener like 怎么/太 (不+新鲜 -> 不新鲜, 都不+好吃 -> 不好吃).
//   5. A trailing 了 or 的 is dropped (凉了 -> 凉, 烂的 -> 烂); a degree
//      adverb before a meaningful single character is dropped (太慢 -> 慢).
//   6. Dropped: stop words (the file), punctuation, symbols, emoji, numbers,
//      single Chinese characters except a built-in list of meaningful ones
//      (慢 贵 咸 凉 脏 ...), non-Chinese tokens with fewer than 2 letters
//      ("a", "3g"), starting with a digit ("20cm") or containing '@'
//      (user handles).
// Each term is returned once per text, so counting Terms() over many texts
// gives document frequency (how many texts mention a term), not occurrences.
class Extractor {
 public:
  // Loads the stop-word list: UTF-8, one word per line, '#' starts a comment
  // line, blank lines ignored, a leading BOM skipped; words are folded like
  // the text (so The/the and 這個/这个 match). NOT_FOUND if the file cannot be opened;
  // INVALID_ARGUMENT naming "<path>:<line>" for ill-formed UTF-8 or a word
  // containing white space, or naming the file if it has no words at all;
  // INTERNAL if ICU's data (normaliser, transliterator, word-break
  // dictionary) is missing.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Extractor>> Create(const std::string& stopwords_path);

  // Distinct terms of `text`, in order of first appearance. Never fails: empty
  // or ill-formed input yields the terms of its well-formed parts (possibly
  // none).
  std::vector<std::string> Terms(std::string_view text) const;

  // Number of distinct (folded) stop words loaded.
  size_t stopword_count() const;

  Extractor(const Extractor&) = delete;
  Extractor& operator=(const Extractor&) = delete;
  ~Extractor();

  struct Impl;  // Defined in keywords.cc (keeps ICU and phrase types out).
  explicit Extractor(std::unique_ptr<const Impl> impl);

 private:
  std::unique_ptr<const Impl> impl_;  // Never null.
};

struct TermCount {
  std::string term;
  int64_t count = 0;

  friend bool operator==(const TermCount&, const TermCount&) = default;
};

// The `n` terms with the highest counts, highest first; equal counts in
// byte order of the term (so the result is deterministic).
std::vector<TermCount> TopTerms(const absl::flat_hash_map<std::string, int64_t>& counts, size_t n);

}  // namespace fbl::keywords
