#pragma once
// Internal to libs/phrase: folds text into the two views the matcher scans,
// keeping, for every output byte, the byte offset of the original code point
// it came from (so evidence can quote the original text).
//
//   compact: fbl::text::Normalize (NFKC + case fold) of each code point, then
//            traditional -> simplified (ICU "Traditional-Simplified", one
//            code point at a time), then fbl::text::Compact (separators,
//            punctuation, symbols, controls and format characters dropped).
//   words:   the same folding, but punctuation kept and every run of white
//            space turned into one ASCII space (for English whole words).
//
// The per-code-point results for the whole BMP are computed once per process
// (about 0.2 s) into a table, so folding a text is table look-ups only.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace fbl::phrase::internal {

struct FoldedText {
  std::string compact;
  std::vector<uint32_t> compact_src;     // Per byte of `compact`: original byte offset.
  std::vector<uint32_t> compact_clause;  // Per byte of `compact`: clause number.
  std::string words;
  std::vector<uint32_t> words_src;     // Per byte of `words`: original byte offset.
  std::vector<uint32_t> words_clause;  // Per byte of `words`: clause number.

  void Clear();
};

class Folder {
 public:
  // The process-wide instance; built on first use. INTERNAL if ICU's
  // normaliser or transliterator data is missing.
  [[nodiscard]] static absl::StatusOr<std::shared_ptr<const Folder>> Get();

  // Thread-safe.
  void Fold(std::string_view text, FoldedText* out) const;

  // Convenience for rule terms: the compact / words view of `s`.
  std::string Compact(std::string_view s) const;
  std::string Words(std::string_view s) const;

  struct Table;  // Defined in fold.cc.
  explicit Folder(std::shared_ptr<const Table> table) : table_(std::move(table)) {}

 private:
  std::shared_ptr<const Table> table_;
};

// True for code points that end a clause for negation windows
// (，。！？；… and their ASCII forms, line breaks).
bool IsClauseBreak(char32_t c);

}  // namespace fbl::phrase::internal
