#include "libs/phrase/fold.h"

#include <algorithm>
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

// One code point's folding, 16 bytes: pieces of up to 4 bytes (nearly all)
// are kept inline, so a look-up touches one cache line.
constexpr size_t kInline = 4;
struct Entry {
  char words_inline[kInline] = {};
  char compact_inline[kInline] = {};
  uint32_t words_off = 0;  // Into the pool, for pieces longer than kInline.
  uint8_t compact_delta = 0;  // Compact piece at words_off + compact_delta (= words_len).
  uint8_t words_len = 0;
  uint8_t compact_len = 0;
  uint8_t flags = 0;

  std::string_view Words(std::string_view pool) const {
    return words_len <= kInline ? std::string_view(words_inline, words_len) : pool.substr(words_off, words_len);
  }
  std::string_view Compact(std::string_view pool) const {
    return compact_len <= kInline ? std::string_view(compact_inline, compact_len)
                                  : pool.substr(words_off + compact_delta, compact_len);
  }
};
static_assert(sizeof(Entry) == 16);

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
      e.compact_delta = static_cast<uint8_t>(words.size());
      e.compact_len = static_cast<uint8_t>(compact.size());
      table->pool += words;
      table->pool += compact;
      std::copy_n(words.data(), std::min(words.size(), kInline), e.words_inline);
      std::copy_n(compact.data(), std::min(compact.size(), kInline), e.compact_inline);
    }
    return std::make_shared<const Folder>(std::move(table));
  }();
  return instance;
}

namespace {

// Next code point of `text` at `*pos`, exactly as text::NextCodePoint, with
// the common well-formed one-, two- and three-byte forms decoded inline.
inline char32_t NextCodePoint(std::string_view text, size_t* pos) {
  const auto* b = reinterpret_cast<const unsigned char*>(text.data()) + *pos;
  const size_t left = text.size() - *pos;
  if (b[0] < 0x80) {
    ++*pos;
    return b[0];
  }
  if (b[0] >= 0xC2 && b[0] <= 0xDF && left >= 2 && (b[1] & 0xC0) == 0x80) {
    *pos += 2;
    return (static_cast<char32_t>(b[0] & 0x1F) << 6) | (b[1] & 0x3F);
  }
  if (b[0] >= 0xE1 && b[0] <= 0xEF && b[0] != 0xED && left >= 3 && (b[1] & 0xC0) == 0x80 && (b[2] & 0xC0) == 0x80) {
    *pos += 3;
    return (static_cast<char32_t>(b[0] & 0x0F) << 12) | (static_cast<char32_t>(b[1] & 0x3F) << 6) | (b[2] & 0x3F);
  }
  return text::NextCodePoint(text, pos);  // E0, ED (restricted second byte), four bytes, ill-formed.
}

// One view being written: bytes, and per byte its source offset and clause.
// The vectors are sized ahead (growing when needed) and cut to `n` at the
// end, so appending is plain stores.
struct ViewWriter {
  std::string& bytes;
  std::vector<uint32_t>& src;
  std::vector<uint32_t>& clause;
  size_t n = 0;

  void Reserve(size_t need) {
    if (n + need <= bytes.size()) return;
    const size_t size = std::max(bytes.size() * 2, n + need + 64);
    bytes.resize(size);
    src.resize(size);
    clause.resize(size);
  }
  void Append(std::string_view piece, uint32_t from, uint32_t in_clause) {
    Reserve(piece.size());
    for (size_t i = 0; i < piece.size(); ++i) {
      bytes[n + i] = piece[i];
      src[n + i] = from;
      clause[n + i] = in_clause;
    }
    n += piece.size();
  }
  void Finish() {
    bytes.resize(n);
    src.resize(n);
    clause.resize(n);
  }
};

}  // namespace

void Folder::Fold(std::string_view text, FoldedText* out) const {
  // No Clear(): the sizes left by the previous text are reused as room.
  ViewWriter words{out->words, out->words_src, out->words_clause};
  ViewWriter compact{out->compact, out->compact_src, out->compact_clause};
  words.Reserve(text.size() + 1);
  compact.Reserve(text.size());
  const Table& t = *table_;
  const std::string_view pool(t.pool);
  uint32_t clause = 0;
  bool pending_space = false;
  std::string slow_words, slow_compact;
  size_t pos = 0;
  while (pos < text.size()) {
    const uint32_t src = static_cast<uint32_t>(pos);
    const char32_t c = NextCodePoint(text, &pos);
    std::string_view w, k;
    uint8_t flags = 0;
    if (c < 0x10000) {
      const Entry& e = t.bmp[c];
      flags = e.flags;
      w = e.Words(pool);
      k = e.Compact(pool);
    } else {
      slow_words.clear();
      slow_compact.clear();
      FoldOne(c, t.normalizer, nullptr, &slow_words, &slow_compact);
      w = slow_words;
      k = slow_compact;
    }
    if (flags & kSpace) {
      pending_space = words.n > 0;
      if (flags & kClause) ++clause;
      continue;
    }
    if (!w.empty()) {
      if (pending_space) {
        words.Append(" ", src, clause);
        pending_space = false;
      }
      words.Append(w, src, clause);
    }
    if (!k.empty()) compact.Append(k, src, clause);
    if (flags & kClause) ++clause;
  }
  words.Finish();
  compact.Finish();
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
