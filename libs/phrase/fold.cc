#include "libs/phrase/fold.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "libs/text/normalize.h"
#include "libs/text/utf8.h"
#include "unicode/translit.h"
#include "unicode/uchar.h"
#include "unicode/unistr.h"
#include "unicode/utypes.h"

namespace fbl::phrase::internal {

void FoldedText::Clear() {
  compact.clear();
  compact_src.clear();
  compact_clause.clear();
  words.clear();
  words_src.clear();
  words_clause.clear();
}

bool IsClauseBreak(char32_t c) {
  switch (c) {
    case U'\n':
    case U'\r':
    case U',':
    case U'.':
    case U'!':
    case U'?':
    case U';':
    case U'，':
    case U'。':
    case U'！':
    case U'？':
    case U'；':
    case U'…':
    case U'｡':
      return true;
    default:
      return false;
  }
}

namespace {

constexpr uint8_t kSpace = 1;   // White space / control: a word break, no output.
constexpr uint8_t kClause = 2;  // Ends a clause.

struct Entry {
  uint32_t words_off = 0;
  uint32_t compact_off = 0;
  uint8_t words_len = 0;
  uint8_t compact_len = 0;
  uint8_t flags = 0;
};

bool IsSpaceLike(char32_t c) {
  return u_isUWhiteSpace(static_cast<UChar32>(c)) || u_charType(static_cast<UChar32>(c)) == U_CONTROL_CHAR;
}

bool IsHan(char32_t c) {
  return (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF);
}

// Folds one code point that is not white space: Normalize, then per output
// code point traditional -> simplified and apostrophe unification.
// Appends to `words` (punctuation kept) and `compact` (dropped).
void FoldOne(char32_t c, const text::Normalizer& norm, const icu::Transliterator* t2s,
             std::string* words, std::string* compact) {
  std::string one;
  text::AppendUtf8(c, &one);
  const std::string normalized = norm.Normalize(one);
  size_t pos = 0;
  while (pos < normalized.size()) {
    char32_t d = text::NextCodePoint(normalized, &pos);
    if (d == U'\u2018' || d == U'\u2019' || d == U'\u02BC' || d == U'\uFF07') d = U'\'';
    if (t2s != nullptr && IsHan(d)) {
      icu::UnicodeString u(static_cast<UChar32>(d));
      t2s->transliterate(u);
      if (u.countChar32() == 1) d = static_cast<char32_t>(u.char32At(0));
    }
    std::string piece;
    text::AppendUtf8(d, &piece);
    words->append(piece);
    compact->append(text::Compact(piece));
  }
}

}  // namespace

struct Folder::Table {
  text::Normalizer normalizer;
  std::vector<Entry> bmp;  // 0x10000 entries.
  std::string pool;
};

absl::StatusOr<std::shared_ptr<const Folder>> Folder::Get() {
  static const absl::StatusOr<std::shared_ptr<const Folder>> instance =
      []() -> absl::StatusOr<std::shared_ptr<const Folder>> {
    absl::StatusOr<text::Normalizer> norm = text::Normalizer::Create();
    if (!norm.ok()) return norm.status();
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::Transliterator> t2s(icu::Transliterator::createInstance(
        icu::UnicodeString::fromUTF8("Traditional-Simplified"), UTRANS_FORWARD, status));
    if (U_FAILURE(status) || t2s == nullptr) {
      return absl::InternalError(std::string("ICU transliterator Traditional-Simplified unavailable: ") +
                                 u_errorName(status));
    }
    auto table = std::make_shared<Table>(Table{*norm, {}, {}});
    table->bmp.resize(0x10000);
    std::string words, compact;
    for (char32_t c = 0; c < 0x10000; ++c) {
      Entry& e = table->bmp[c];
      if (c >= 0xD800 && c <= 0xDFFF) continue;  // Surrogates never decode.
      if (IsClauseBreak(c)) e.flags |= kClause;
      if (IsSpaceLike(c)) {
        e.flags |= kSpace;
        continue;
      }
      words.clear();
      compact.clear();
      FoldOne(c, table->normalizer, t2s.get(), &words, &compact);
      e.words_off = static_cast<uint32_t>(table->pool.size());
      e.words_len = static_cast<uint8_t>(words.size());
      table->pool += words;
      e.compact_off = static_cast<uint32_t>(table->pool.size());
      e.compact_len = static_cast<uint8_t>(compact.size());
      table->pool += compact;
    }
    return std::make_shared<const Folder>(std::move(table));
  }();
  return instance;
}

void Folder::Fold(std::string_view text, FoldedText* out) const {
  out->Clear();
  out->compact.reserve(text.size());
  out->compact_src.reserve(text.size());
  out->compact_clause.reserve(text.size());
  out->words.reserve(text.size() + 1);
  out->words_src.reserve(text.size() + 1);
  out->words_clause.reserve(text.size() + 1);
  const Table& t = *table_;
  uint32_t clause = 0;
  bool pending_space = false;
  std::string slow_words, slow_compact;
  size_t pos = 0;
  while (pos < text.size()) {
    const uint32_t src = static_cast<uint32_t>(pos);
    const char32_t c = text::NextCodePoint(text, &pos);
    std::string_view w, k;
    uint8_t flags = 0;
    if (c < 0x10000) {
      const Entry& e = t.bmp[c];
      flags = e.flags;
      w = std::string_view(t.pool).substr(e.words_off, e.words_len);
      k = std::string_view(t.pool).substr(e.compact_off, e.compact_len);
    } else {
      slow_words.clear();
      slow_compact.clear();
      FoldOne(c, t.normalizer, nullptr, &slow_words, &slow_compact);
      w = slow_words;
      k = slow_compact;
    }
    if (flags & kSpace) {
      pending_space = !out->words.empty();
      if (flags & kClause) ++clause;
      continue;
    }
    if (!w.empty()) {
      if (pending_space) {
        out->words.push_back(' ');
        out->words_src.push_back(src);
        out->words_clause.push_back(clause);
        pending_space = false;
      }
      out->words.append(w);
      out->words_src.insert(out->words_src.end(), w.size(), src);
      out->words_clause.insert(out->words_clause.end(), w.size(), clause);
    }
    if (!k.empty()) {
      out->compact.append(k);
      out->compact_src.insert(out->compact_src.end(), k.size(), src);
      out->compact_clause.insert(out->compact_clause.end(), k.size(), clause);
    }
    if (flags & kClause) ++clause;
  }
}

std::string Folder::Compact(std::string_view s) const {
  FoldedText f;
  Fold(s, &f);
  return std::move(f.compact);
}

std::string Folder::Words(std::string_view s) const {
  FoldedText f;
  Fold(s, &f);
  return std::move(f.words);
}

}  // namespace fbl::phrase::internal
