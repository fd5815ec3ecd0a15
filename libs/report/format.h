#pragma once

// Text and number formatting shared by the HTML and SVG writers.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/time/time.h"

namespace fbl::report {

// Replaces each invalid UTF-8 sequence (bad lead or continuation bytes,
// overlong forms, surrogates, > U+10FFFF, truncated tail) with U+FFFD.
std::string SanitizeUtf8(std::string_view text);

// Escapes & < > " ' for HTML text and attribute values (also valid inside
// inline SVG), after SanitizeUtf8. C0 control characters other than tab and
// newline become spaces (they are not allowed in HTML).
std::string EscapeHtml(std::string_view text);

// At most `max_code_points` code points of sanitized `text`, with "…" appended
// when something was cut.
std::string TruncateUtf8(std::string_view text, size_t max_code_points);

// 1234567 -> "1,234,567".
std::string FormatCount(int64_t n);

// 0.8531 -> "85.3%"; non-finite -> "—".
std::string FormatPercent(double fraction, int decimals = 1);

// Change rate with sign and arrow: 0.25 -> "↑ 25.0%", -0.1 -> "↓ 10.0%",
// 0 -> "→ 0.0%", unset or non-finite -> "—".
std::string FormatChange(std::optional<double> rate);

// A date in `zone` (absl::FormatTime format); "—" for infinite times.
std::string FormatDate(absl::Time t, absl::TimeZone zone, const char* format = "%Y-%m-%d");

// Number for SVG coordinates: fixed, at most 2 decimals, no trailing zeros.
std::string Num(double v);

}  // namespace fbl::report
