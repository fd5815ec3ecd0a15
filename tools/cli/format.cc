#include "tools/cli/format.h"

#include <unicode/uchar.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "libs/text/utf8.h"

namespace fbl::cli {

int CodePointWidth(char32_t cp) {
  if (cp == 0) return 0;
  if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) return 0;  // C0, DEL, C1
  if (cp >= 0x1160 && cp <= 0x11FF) return 0;             // Hangul medial vowels, final consonants (conjoining)
  if (cp == 0x200B) return 0;                             // zero width space
  const auto c = static_cast<UChar32>(cp);
  switch (u_charType(c)) {
    case U_NON_SPACING_MARK:
    case U_ENCLOSING_MARK:
    case U_FORMAT_CHAR:  // ZWJ, ZWNJ, soft hyphen, BOM ...
      return 0;
    default:
      break;
  }
  if (u_hasBinaryProperty(c, UCHAR_VARIATION_SELECTOR)) return 0;
  switch (u_getIntPropertyValue(c, UCHAR_EAST_ASIAN_WIDTH)) {
    case U_EA_WIDE:
    case U_EA_FULLWIDTH:
      return 2;
    default:
      return 1;
  }
}

int DisplayWidth(std::string_view s) {
  int width = 0;
  size_t pos = 0;
  while (pos < s.size()) width += CodePointWidth(text::NextCodePoint(s, &pos));
  return width;
}

std::string TruncateToWidth(std::string_view s, int width) {
  if (width <= 0) return "";
  if (DisplayWidth(s) <= width) return std::string(s);
  // Room for the ellipsis (1 column).
  const int budget = width - 1;
  int used = 0;
  size_t pos = 0, cut = 0;
  while (pos < s.size()) {
    size_t next = pos;
    const int w = CodePointWidth(text::NextCodePoint(s, &next));
    if (used + w > budget) break;
    used += w;
    pos = next;
    cut = pos;
  }
  std::string out(s.substr(0, cut));
  // Drop trailing spaces before the ellipsis: "abc …" reads worse than "abc…".
  while (!out.empty() && out.back() == ' ') out.pop_back();
  out += "…";
  return out;
}

std::string PadToWidth(std::string_view s, int width, bool right_align) {
  const int w = DisplayWidth(s);
  if (w >= width) return std::string(s);
  std::string pad(static_cast<size_t>(width - w), ' ');
  return right_align ? pad + std::string(s) : std::string(s) + pad;
}

std::string OneLine(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t pos = 0;
  while (pos < s.size()) {
    const size_t start = pos;
    const char32_t cp = text::NextCodePoint(s, &pos);
    if (cp == '\n' || cp == '\r' || cp == '\t') {
      out += ' ';
    } else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) {
      continue;
    } else if (cp == text::kReplacementChar) {
      text::AppendUtf8(cp, &out);  // ill-formed input shows as U+FFFD; the output stays valid UTF-8
    } else {
      out.append(s.substr(start, pos - start));
    }
  }
  return std::string(absl::StripAsciiWhitespace(out));
}

void Table::AddRow(std::vector<std::string> cells) {
  cells.resize(columns_.size());
  for (size_t i = 0; i < cells.size(); ++i) {
    cells[i] = OneLine(cells[i]);
    if (columns_[i].max_width > 0) cells[i] = TruncateToWidth(cells[i], columns_[i].max_width);
  }
  rows_.push_back(std::move(cells));
}

std::string Table::Render() const {
  std::vector<int> widths(columns_.size(), 0);
  for (size_t i = 0; i < columns_.size(); ++i) widths[i] = DisplayWidth(columns_[i].header);
  for (const auto& row : rows_) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], DisplayWidth(row[i]));
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i > 0) out += "  ";
      const bool last = i + 1 == cells.size();
      if (last && !columns_[i].right_align) {
        out += cells[i];
      } else {
        out += PadToWidth(cells[i], widths[i], columns_[i].right_align);
      }
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += '\n';
    return out;
  };
  std::vector<std::string> header;
  for (const auto& c : columns_) header.push_back(c.header);
  std::string out = line(header);
  for (const auto& row : rows_) out += line(row);
  return out;
}

std::string RenderFields(const std::vector<std::pair<std::string, std::string>>& fields) {
  int key_width = 0;
  for (const auto& [k, v] : fields) {
    if (!v.empty()) key_width = std::max(key_width, DisplayWidth(k) + 1);
  }
  std::string out;
  const std::string indent(static_cast<size_t>(key_width + 1), ' ');
  for (const auto& [k, v] : fields) {
    if (v.empty()) continue;
    out += PadToWidth(k + ":", key_width);
    bool first = true;
    for (absl::string_view l : absl::StrSplit(v, '\n')) {
      out += first ? " " : indent;
      l = absl::StripTrailingAsciiWhitespace(l);
      out.append(l.data(), l.size());
      out += '\n';
      first = false;
    }
  }
  return out;
}

std::string FormatLocalTime(absl::Time t, absl::TimeZone tz) {
  if (t == absl::InfinitePast() || t == absl::UnixEpoch()) return "";
  return absl::FormatTime("%Y-%m-%d %H:%M:%S", t, tz);
}

std::string FormatSeconds(double seconds) {
  if (!std::isfinite(seconds)) return "-";
  const char* sign = seconds < 0 ? "-" : "";
  int64_t s = static_cast<int64_t>(std::llround(std::fabs(seconds)));
  if (s == 0) return "0s";
  const int64_t d = s / 86400, h = s % 86400 / 3600, m = s % 3600 / 60, sec = s % 60;
  if (d > 0) return h > 0 ? absl::StrCat(sign, d, "d ", h, "h") : absl::StrCat(sign, d, "d");
  if (h > 0) return m > 0 ? absl::StrCat(sign, h, "h ", m, "m") : absl::StrCat(sign, h, "h");
  if (m > 0) return sec > 0 ? absl::StrCat(sign, m, "m ", sec, "s") : absl::StrCat(sign, m, "m");
  return absl::StrCat(sign, sec, "s");
}

std::string FormatPercent(double share) { return absl::StrFormat("%.1f%%", share * 100.0); }

std::string FormatChange(std::optional<double> rate) {
  if (!rate.has_value() || !std::isfinite(*rate)) return "-";
  return absl::StrFormat("%+.1f%%", *rate * 100.0);
}

}  // namespace fbl::cli
