#pragma once
// Terminal output for fbl: display width of UTF-8 text (CJK characters take
// two columns), aligned tables, "key: value" blocks, times, durations and
// rates. Pure: no gRPC, no I/O.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/time/time.h"

namespace fbl::cli {

// Terminal columns one code point takes: 0 for control characters, combining
// marks and zero-width format characters (ZWJ, variation selectors); 2 for
// East Asian Wide and Fullwidth characters (汉字, ｆｕｌｌ, most emoji); 1
// otherwise (East Asian Ambiguous counts 1, as in most terminals).
int CodePointWidth(char32_t cp);

// Columns the UTF-8 text `s` takes; ill-formed bytes count as U+FFFD (1).
int DisplayWidth(std::string_view s);

// The longest prefix of `s` that fits in `width` columns; when `s` had to be
// cut, the prefix ends in "…" and, with it, still fits. Never splits a code
// point. `width` <= 0 gives "".
std::string TruncateToWidth(std::string_view s, int width);

// `s` with spaces added on the right up to `width` columns (or on the left
// when `right_align`); unchanged when already as wide.
std::string PadToWidth(std::string_view s, int width, bool right_align = false);

// `s` on one line: CR, LF and TAB become one space each, other control
// characters are dropped, surrounding whitespace is trimmed.
std::string OneLine(std::string_view s);

// One column of a Table.
struct Column {
  std::string header;
  // Cells wider than this many columns are cut with "…"; 0 = no limit.
  int max_width = 0;
  // Numbers align right.
  bool right_align = false;
};

// An aligned text table: a header line, then one line per row; columns are
// separated by two spaces and sized to their widest cell in display columns.
// Cells are put on one line (OneLine) first. The last column is not padded.
class Table {
 public:
  explicit Table(std::vector<Column> columns) : columns_(std::move(columns)) {}
  // Missing cells are empty; extra cells are ignored.
  void AddRow(std::vector<std::string> cells);
  size_t rows() const { return rows_.size(); }
  // The table, each line ending in '\n'. Without rows: only the header.
  std::string Render() const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

// "key: value" lines with the values aligned; pairs with an empty value are
// left out. Multi-line values continue on lines indented to the value column.
std::string RenderFields(const std::vector<std::pair<std::string, std::string>>& fields);

// "2026-11-20 09:15:07" in `tz`; "" for absl::InfinitePast() (an unset
// timestamp) or the Unix epoch.
std::string FormatLocalTime(absl::Time t, absl::TimeZone tz);

// A span in the largest two units: "45s", "12m 5s", "3h 20m", "2d 4h";
// "0s" for zero; negative spans get a leading "-".
std::string FormatSeconds(double seconds);

// A share 0..1 as a percentage with one decimal: 0.1234 -> "12.3%".
std::string FormatPercent(double share);

// A change rate with its sign: 0.125 -> "+12.5%", -0.2 -> "-20.0%"; "-" when
// unset (undefined, e.g. nothing to compare with).
std::string FormatChange(std::optional<double> rate);

}  // namespace fbl::cli
