#include "libs/keywords/keywords.h"

#include <algorithm>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/keywords/lexicon.h"
#include "libs/phrase/fold.h"
#include "libs/text/pii.h"
#include "libs/text/utf8.h"
#include "unicode/brkiter.h"
#include "unicode/locid.h"
#include "unicode/uchar.h"
#include "unicode/utext.h"
#include "unicode/utypes.h"

namespace fbl::keywords {

namespace {

// Longest run of ICU tokens a built-in domain word may join (宫+保+鸡+丁).
constexpr size_t kMaxMergeTokens = 4;
// A negator joins the next word only if it has at most this many characters.
constexpr size_t kMaxNegatedChars = 2;
constexpr std::string_view kLe = "了";
constexpr std::string_view kDe = "的";
static_assert(kLe.size() == kDe.size());

// ICU's BreakIterator keeps per-text state, so each thread has its own.
// Returns null only if ICU's break data is missing (Create() checks that).
icu::BreakIterator* ThreadWordIterator() {
  thread_local const std::unique_ptr<icu::BreakIterator> iterator = [] {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::BreakIterator> it(icu::BreakIterator::createWordInstance(icu::Locale("zh", "CN"), status));
    if (U_FAILURE(status)) it.reset();
    return it;
  }();
  return iterator.get();
}

enum class TokenKind {
  kHan,    // Contains a Chinese character.
  kWord,   // No Chinese, at least two letters (Latin, Cyrillic, kana, Hangul ...).
  kOther,  // Space, punctuation, symbol, emoji, number, U+FFFD, one letter.
};

TokenKind Classify(std::string_view token) {
  // Measurements and model numbers that start with a digit (20cm, 16gb,
  // 5000mah) are numbers; iphone13 is a word.
  if (!token.empty() && token[0] >= '0' && token[0] <= '9') return TokenKind::kOther;
  int letters = 0;
  size_t pos = 0;
  while (pos < token.size()) {
    const UChar32 c = static_cast<UChar32>(text::NextCodePoint(token, &pos));
    if (u_hasBinaryProperty(c, UCHAR_IDEOGRAPHIC)) return TokenKind::kHan;
    if (u_isalpha(c)) ++letters;
  }
  return letters >= 2 ? TokenKind::kWord : TokenKind::kOther;
}

// Abseil here may not use std::string_view as absl::string_view, so look-ups
// of views in string sets convert explicitly.
absl::string_view AsAbsl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// Overwrites every occurrence of each of `needles` in `s` with spaces.
void BlankOut(const std::vector<std::string>& needles, std::string* s) {
  if (s->find('[') == std::string::npos) return;
  for (const std::string& needle : needles) {
    for (size_t at = s->find(needle); at != std::string::npos; at = s->find(needle, at + needle.size())) {
      std::fill_n(s->begin() + static_cast<std::ptrdiff_t>(at), needle.size(), ' ');
    }
  }
}

// Overwrites URLs (from "http://", "https://" or "www." to the next white
// space) with spaces: their pieces (https, t.co, www) are not terms.
void BlankOutUrls(std::string* s) {
  for (std::string_view scheme : {"http://", "https://", "www."}) {
    for (size_t at = s->find(scheme); at != std::string::npos; at = s->find(scheme, at)) {
      while (at < s->size() && (*s)[at] != ' ') (*s)[at++] = ' ';
    }
  }
}

}  // namespace

struct Extractor::Impl {
  std::shared_ptr<const phrase::internal::Folder> folder;
  absl::flat_hash_set<std::string> stopwords;
  absl::flat_hash_set<std::string> domain_words;
  absl::flat_hash_set<std::string> singles;
  absl::flat_hash_map<std::string, internal::Negator> negators;  // By folded token.
  absl::flat_hash_set<std::string> softeners;
  absl::flat_hash_set<std::string> degree_adverbs;
  std::vector<std::string> placeholders;  // Folded "[phone]", ...

  // Collects the terms of one text, once each.
  struct Sink {
    std::vector<std::string> terms;
    absl::flat_hash_set<std::string> seen;
    void Add(std::string term) {
      if (seen.insert(term).second) terms.push_back(std::move(term));
    }
  };

  void EmitHan(std::string term, Sink* sink) const {
    if (text::CodePointCount(term) >= 2 && (term.ends_with(kLe) || term.ends_with(kDe))) {
      term.resize(term.size() - kLe.size());  // 了 and 的 are both 3 bytes.
    }
    const size_t chars = text::CodePointCount(term);
    if (chars == 2) {
      size_t pos = 0;
      text::NextCodePoint(term, &pos);
      const std::string_view first = std::string_view(term).substr(0, pos);
      const std::string_view second = std::string_view(term).substr(pos);
      if (degree_adverbs.contains(AsAbsl(first)) && singles.contains(AsAbsl(second))) term = std::string(second);
    }
    if (term.empty()) return;
    if (text::CodePointCount(term) == 1 && !singles.contains(term)) return;
    if (stopwords.contains(term)) return;
    sink->Add(std::move(term));
  }

  // ICU sometimes glues a function word to the first character of a domain
  // word: 在京|东 (在京东买的), 是正|品. If run[i] is <stop word><c> and c
  // followed by the next tokens is a domain word, appends the stop word and
  // the domain word to `words`, sets `*take` to the tokens used and returns
  // true. 北京|东|路 stays as it is: 北 is not a stop word.
  bool SplitOffTail(const std::vector<std::string_view>& run, size_t i, std::vector<std::string>* words,
                    size_t* take) const {
    const std::string_view token = run[i];
    if (i + 1 >= run.size() || text::CodePointCount(token) < 2) return false;
    size_t last = token.size() - 1;
    while (last > 0 && (static_cast<unsigned char>(token[last]) & 0xC0) == 0x80) --last;
    const std::string_view prefix = token.substr(0, last);
    if (!stopwords.contains(AsAbsl(prefix))) return false;
    std::string joined;
    for (size_t k = std::min(kMaxMergeTokens - 1, run.size() - i - 1); k >= 1; --k) {
      joined.assign(token.substr(last));
      for (size_t j = i + 1; j <= i + k; ++j) joined.append(run[j]);
      if (domain_words.contains(joined)) {
        words->emplace_back(prefix);
        words->push_back(std::move(joined));
        *take = k + 1;
        return true;
      }
    }
    return false;
  }

  // A run of adjacent Chinese tokens (no space or punctuation between them).
  void FlushHanRun(std::vector<std::string_view>* run, Sink* sink) const {
    if (run->empty()) return;
    std::vector<std::string> words;
    words.reserve(run->size());
    std::string joined;
    for (size_t i = 0; i < run->size();) {
      size_t take = 1;
      for (size_t k = std::min(kMaxMergeTokens, run->size() - i); k >= 2; --k) {
        joined.clear();
        for (size_t j = i; j < i + k; ++j) joined.append((*run)[j]);
        if (domain_words.contains(joined)) {
          take = k;
          break;
        }
      }
      if (take == 1 && SplitOffTail(*run, i, &words, &take)) {
        i += take;
        continue;
      }
      std::string word;
      for (size_t j = i; j < i + take; ++j) word.append((*run)[j]);
      words.push_back(std::move(word));
      i += take;
    }
    run->clear();
    for (size_t i = 0; i < words.size(); ++i) {
      if (const auto neg = negators.find(words[i]); neg != negators.end() && i + 1 < words.size()) {
        size_t j = i + 1;
        const bool softened = softeners.contains(words[j]) && j + 1 < words.size();
        if (softened) ++j;
        const std::string& next = words[j];
        if ((softened || !neg->second.needs_softener) && text::CodePointCount(next) <= kMaxNegatedChars &&
            !negators.contains(next) && !stopwords.contains(next)) {
          EmitHan(absl::StrCat(AsAbsl(neg->second.prefix), next), sink);
          i = j;
          continue;
        }
      }
      EmitHan(std::move(words[i]), sink);
    }
  }
};

Extractor::Extractor(std::unique_ptr<const Impl> impl) : impl_(std::move(impl)) {}
Extractor::~Extractor() = default;

size_t Extractor::stopword_count() const { return impl_->stopwords.size(); }

absl::StatusOr<std::unique_ptr<Extractor>> Extractor::Create(const std::string& stopwords_path) {
  absl::StatusOr<std::shared_ptr<const phrase::internal::Folder>> folder = phrase::internal::Folder::Get();
  if (!folder.ok()) return folder.status();
  if (ThreadWordIterator() == nullptr) {
    return absl::InternalError("keywords: ICU word break iterator for zh_CN unavailable (ICU data missing?)");
  }
  auto impl = std::make_unique<Impl>();
  impl->folder = *std::move(folder);
  const phrase::internal::Folder& fold = *impl->folder;

  std::ifstream in(stopwords_path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("keywords: cannot open stop-word file ", stopwords_path));
  std::string line;
  for (int line_no = 1; std::getline(in, line); ++line_no) {
    std::string_view word = line;
    if (line_no == 1) word = text::StripBom(word);
    const absl::string_view stripped = absl::StripAsciiWhitespace(AsAbsl(word));
    word = std::string_view(stripped.data(), stripped.size());
    if (word.empty() || word.front() == '#') continue;
    if (absl::Status s = text::ValidateUtf8(word); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(stopwords_path, ":", line_no, ": ", s.message()));
    }
    std::string folded = fold.Words(word);
    if (folded.empty() || folded.find(' ') != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat(stopwords_path, ":", line_no, ": \"", AsAbsl(word),
                                                     "\" is not one word (white space, or nothing left after folding)"));
    }
    impl->stopwords.insert(std::move(folded));
  }
  if (in.bad()) return absl::DataLossError(absl::StrCat("keywords: error reading ", stopwords_path));
  if (impl->stopwords.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("keywords: no stop words in ", stopwords_path));
  }

  for (std::string_view w : internal::DomainWords()) impl->domain_words.insert(fold.Words(w));
  for (std::string_view w : internal::MeaningfulSingles()) impl->singles.insert(fold.Words(w));
  for (const internal::Negator& n : internal::Negators()) impl->negators.emplace(fold.Words(n.token), n);
  for (std::string_view w : internal::Softeners()) impl->softeners.insert(fold.Words(w));
  for (std::string_view w : internal::DegreeAdverbs()) impl->degree_adverbs.insert(fold.Words(w));
  for (text::PiiKind kind :
       {text::PiiKind::kPhone, text::PiiKind::kEmail, text::PiiKind::kIdCard, text::PiiKind::kBankCard}) {
    impl->placeholders.push_back(fold.Words(absl::StrCat("[", AsAbsl(text::PiiKindName(kind)), "]")));
  }
  return std::make_unique<Extractor>(std::move(impl));
}

std::vector<std::string> Extractor::Terms(std::string_view text) const {
  const Impl& impl = *impl_;
  std::string folded = impl.folder->Words(text);
  BlankOut(impl.placeholders, &folded);
  BlankOutUrls(&folded);
  if (folded.empty()) return {};
  Impl::Sink sink;
  icu::BreakIterator* it = ThreadWordIterator();
  if (it == nullptr) return {};  // Unreachable once Create() succeeded.

  UErrorCode status = U_ZERO_ERROR;
  UText ut = UTEXT_INITIALIZER;
  utext_openUTF8(&ut, folded.data(), static_cast<int64_t>(folded.size()), &status);
  it->setText(&ut, status);
  if (U_FAILURE(status)) {
    utext_close(&ut);
    return {};
  }
  // With a UTF-8 UText the boundaries are byte offsets into `folded`.
  std::vector<std::string_view> han_run;
  int32_t start = it->first();
  for (int32_t end = it->next(); end != icu::BreakIterator::DONE; start = end, end = it->next()) {
    const std::string_view token = std::string_view(folded).substr(start, end - start);
    switch (Classify(token)) {
      case TokenKind::kHan:
        han_run.push_back(token);
        break;
      case TokenKind::kWord:
        impl.FlushHanRun(&han_run, &sink);
        // '@' marks a user handle (@somebody) or a broken e-mail address.
        if (token.find('@') == std::string_view::npos && !impl.stopwords.contains(AsAbsl(token))) {
          sink.Add(std::string(token));
        }
        break;
      case TokenKind::kOther:
        impl.FlushHanRun(&han_run, &sink);
        break;
    }
  }
  impl.FlushHanRun(&han_run, &sink);
  // The iterator keeps a shallow clone of `ut` that points into `folded`; it is
  // never read again: the next setText() replaces it without touching the text.
  utext_close(&ut);
  return std::move(sink.terms);
}

std::vector<TermCount> TopTerms(const absl::flat_hash_map<std::string, int64_t>& counts, size_t n) {
  std::vector<const std::pair<const std::string, int64_t>*> entries;
  entries.reserve(counts.size());
  for (const auto& entry : counts) entries.push_back(&entry);
  n = std::min(n, entries.size());
  std::partial_sort(entries.begin(), entries.begin() + static_cast<std::ptrdiff_t>(n), entries.end(),
                    [](const auto* a, const auto* b) {
                      if (a->second != b->second) return a->second > b->second;
                      return a->first < b->first;
                    });
  std::vector<TermCount> top;
  top.reserve(n);
  for (size_t i = 0; i < n; ++i) top.push_back(TermCount{entries[i]->first, entries[i]->second});
  return top;
}

}  // namespace fbl::keywords
