#include "libs/report/format.h"

#include <cmath>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace fbl::report {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the valid UTF-8 sequence at text[i], or 0 if it is invalid.
size_t ValidSequenceLength(std::string_view text, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  size_t len;
  uint32_t cp;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + len > text.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if (len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return 0;
  if (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) return 0;
  return len;
}

// Calls on_char(sequence) for each valid sequence, with U+FFFD for invalid
// bytes. Returns early when on_char returns false.
template <typename F>
void ForEachCodePoint(std::string_view text, F on_char) {
  size_t i = 0;
  while (i < text.size()) {
    size_t len = ValidSequenceLength(text, i);
    std::string_view seq = len == 0 ? kReplacement : text.substr(i, len);
    if (!on_char(seq)) return;
    i += len == 0 ? 1 : len;
  }
}

}  // namespace

std::string SanitizeUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  ForEachCodePoint(text, [&](std::string_view seq) {
    out.append(seq);
    return true;
  });
  return out;
}

std::string EscapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  ForEachCodePoint(text, [&](std::string_view seq) {
    if (seq.size() == 1) {
      const char c = seq[0];
      switch (c) {
        case '&': out += "&amp;"; return true;
        case '<': out += "&lt;"; return true;
        case '>': out += "&gt;"; return true;
        case '"': out += "&quot;"; return true;
        case '\'': out += "&#39;"; return true;
        case '\t':
        case '\n': out += c; return true;
        default:
          if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
            out += ' ';
            return true;
          }
      }
    }
    out.append(seq);
    return true;
  });
  return out;
}

std::string TruncateUtf8(std::string_view text, size_t max_code_points) {
  std::string out;
  size_t n = 0;
  bool cut = false;
  ForEachCodePoint(text, [&](std::string_view seq) {
    if (n == max_code_points) {
      cut = true;
      return false;
    }
    out.append(seq);
    ++n;
    return true;
  });
  if (cut) out += "…";
  return out;
}

std::string FormatCount(int64_t n) {
  std::string digits = absl::StrCat(n < 0 ? -(n + 1) + 1ULL : static_cast<uint64_t>(n));
  std::string out;
  const size_t first = digits.size() % 3 == 0 ? 3 : digits.size() % 3;
  out.append(digits, 0, first);
  for (size_t i = first; i < digits.size(); i += 3) {
    out += ',';
    out.append(digits, i, 3);
  }
  return n < 0 ? "-" + out : out;
}

std::string FormatPercent(double fraction, int decimals) {
  if (!std::isfinite(fraction)) return "—";
  return absl::StrFormat("%.*f%%", decimals, fraction * 100.0);
}

std::string FormatChange(std::optional<double> rate) {
  if (!rate.has_value() || !std::isfinite(*rate)) return "—";
  const double pct = *rate * 100.0;
  if (std::abs(pct) < 0.05) return "→ 0.0%";
  return absl::StrFormat("%s %.1f%%", pct > 0 ? "↑" : "↓", std::abs(pct));
}

std::string FormatDate(absl::Time t, absl::TimeZone zone, const char* format) {
  if (t == absl::InfinitePast() || t == absl::InfiniteFuture()) return "—";
  return absl::FormatTime(format, t, zone);
}

std::string Num(double v) {
  if (!std::isfinite(v)) return "0";
  std::string s = absl::StrFormat("%.2f", v);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  if (s == "-0") s = "0";
  return s;
}

}  // namespace fbl::report
