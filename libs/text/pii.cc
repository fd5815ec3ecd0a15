#include "libs/text/pii.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "libs/text/utf8.h"

namespace fbl::text {
namespace {

// ---- character classes on the ASCII-folded view ---------------------------

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAlnum(char c) { return IsDigit(c) || IsAlpha(c); }
bool IsWord(char c) { return IsAlnum(c) || c == '_'; }
bool IsSep(char c) { return c == ' ' || c == '-'; }
bool IsEmailLocal(char c) {
  return IsAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

// One byte per code point: ASCII as is, full-width ASCII folded to ASCII,
// a few spaces/hyphens folded, everything else '\0' (a token boundary).
char FoldCodePoint(char32_t cp) {
  if (cp < 0x80) return static_cast<char>(cp);
  if (cp >= 0xFF01 && cp <= 0xFF5E) return static_cast<char>(cp - 0xFEE0);
  if (cp == 0x3000 || cp == 0x00A0) return ' ';
  if (cp >= 0x2010 && cp <= 0x2012) return '-';
  return '\0';
}

// ---- checks -----------------------------------------------------------------

bool LuhnValid(std::string_view digits) {
  int sum = 0;
  bool twice = false;
  for (size_t i = digits.size(); i-- > 0;) {
    int d = digits[i] - '0';
    if (twice) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    twice = !twice;
  }
  return sum % 10 == 0;
}

bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

bool ValidDate(int year, int month, int day) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1) return false;
  const int max = kDays[month - 1] + (month == 2 && IsLeapYear(year) ? 1 : 0);
  return day <= max;
}

// First two digits of the administrative division code (GB/T 2260), plus 83
// (residence permits for Taiwan residents).
bool ValidProvince(int code) {
  switch (code) {
    case 11: case 12: case 13: case 14: case 15:
    case 21: case 22: case 23:
    case 31: case 32: case 33: case 34: case 35: case 36: case 37:
    case 41: case 42: case 43: case 44: case 45: case 46:
    case 50: case 51: case 52: case 53: case 54:
    case 61: case 62: case 63: case 64: case 65:
    case 71: case 81: case 82: case 83:
      return true;
    default:
      return false;
  }
}

// ---- scanner ----------------------------------------------------------------

class Scanner {
 public:
  explicit Scanner(std::string_view folded) : m_(folded), n_(folded.size()) {}

  char At(size_t p) const { return p < n_ ? m_[p] : '\0'; }

  // Number of consecutive digits at p, at most cap + 1.
  size_t DigitRun(size_t p, size_t cap) const {
    size_t k = 0;
    while (p + k < n_ && k <= cap && IsDigit(m_[p + k])) ++k;
    return k;
  }

  int Num(size_t p, size_t len) const {
    int v = 0;
    for (size_t i = 0; i < len; ++i) v = v * 10 + (m_[p + i] - '0');
    return v;
  }

  // A token may start at p: not glued to a word character, directly or
  // through '.' / '-'.
  bool StartsToken(size_t p) const {
    if (p == 0) return true;
    const char prev = m_[p - 1];
    if (IsWord(prev)) return false;
    if ((prev == '.' || prev == '-') && p >= 2 && IsWord(m_[p - 2])) return false;
    return true;
  }

  // A token may end just before p.
  bool EndsToken(size_t p) const {
    if (p >= n_) return true;
    const char next = m_[p];
    if (IsWord(next)) return false;
    if ((next == '.' || next == '-') && IsWord(At(p + 1))) return false;
    return true;
  }

  // Each matcher returns the end of the match starting at p, or 0.

  size_t MatchIdCard(size_t p) const {
    const size_t len = DigitRun(p, 18);
    if (len == 18 && EndsToken(p + 18) && ValidId18(p)) return p + 18;
    if (len == 17 && (At(p + 17) == 'X' || At(p + 17) == 'x') && EndsToken(p + 18) &&
        ValidId18(p)) {
      return p + 18;
    }
    if (len == 15 && EndsToken(p + 15) && ValidProvince(Num(p, 2)) &&
        ValidDate(1900 + Num(p + 6, 2), Num(p + 8, 2), Num(p + 10, 2))) {
      return p + 15;
    }
    return 0;
  }

  size_t MatchBankCard(size_t p) const {
    const size_t first = DigitRun(p, 19);
    if (first >= 16 && first <= 19) {
      return EndsToken(p + first) && LuhnValid(m_.substr(p, first)) ? p + first : 0;
    }
    if (first != 4 || !IsSep(At(p + 4))) return 0;
    // Groups of four joined by one kind of separator; the last may be shorter.
    const char sep = m_[p + 4];
    std::string digits(m_.substr(p, 4));
    size_t q = p + 4;
    while (At(q) == sep && IsDigit(At(q + 1))) {
      const size_t g = DigitRun(q + 1, 4);
      if (g > 4) break;  // A separate, longer number follows.
      if (digits.size() + g > 19) return 0;
      digits.append(m_.substr(q + 1, g));
      q += 1 + g;
      if (g < 4) break;
    }
    if (digits.size() < 16 || !EndsToken(q) || !LuhnValid(digits)) return 0;
    return q;
  }

  size_t MatchMobile(size_t p) const {
    size_t q = 0;
    if (m_.substr(p, 3) == "+86") {
      q = p + 3;
    } else if (m_.substr(p, 4) == "0086") {
      q = p + 4;
    } else if (m_.substr(p, 2) == "86") {
      q = p + 2;
    }
    if (q != 0) {
      if (const size_t end = MobileBody(q)) return end;
      if (IsSep(At(q))) {
        if (const size_t end = MobileBody(q + 1)) return end;
      }
    }
    return MobileBody(p);
  }

  size_t MatchLandline(size_t p) const {
    const bool paren = At(p) == '(';
    const size_t q = paren ? p + 1 : p;
    if (At(q) != '0') return 0;
    const size_t area = DigitRun(q, 12);
    // 3-digit area codes are 010 and 02x; 4-digit ones start 03..09.
    const char second = At(q + 1);
    const bool short_area = second == '1' || second == '2';
    const bool long_area = second >= '3' && second <= '9';
    if (!short_area && !long_area) return 0;
    const size_t area_len = short_area ? 3 : 4;
    size_t local;
    if (paren) {
      if (area != area_len || At(q + area) != ')') return 0;
      local = q + area + 1;
      if (At(local) == ' ') ++local;
    } else if (area == area_len && IsSep(At(q + area))) {
      local = q + area + 1;
    } else if ((area == area_len + 7 || area == area_len + 8) && At(q + area_len) != '0') {
      return WithExtension(q + area);
    } else {
      return 0;
    }
    const size_t local_len = DigitRun(local, 8);
    if ((local_len != 7 && local_len != 8) || At(local) == '0') return 0;
    return WithExtension(local + local_len);
  }

  size_t MatchInternational(size_t p) const {
    if (At(p) != '+' || !IsDigit(At(p + 1)) || At(p + 1) == '0') return 0;
    size_t total = 0;
    size_t end = 0;
    size_t r = p + 1;
    while (true) {
      const size_t g = DigitRun(r, 15);
      if (g == 0 || total + g > 15) break;
      total += g;
      end = r + g;
      if (IsSep(At(end)) && IsDigit(At(end + 1))) {
        r = end + 1;
      } else {
        break;
      }
    }
    if (total < 8 || !EndsToken(end)) return 0;
    return end;
  }

  // `p` starts a run of e-mail local-part characters. On success sets
  // [*begin, *end); otherwise *stop is where the run ended (no address can
  // start before it).
  bool MatchEmail(size_t p, size_t* begin, size_t* end, size_t* stop) const {
    size_t r = p;
    while (r < n_ && IsEmailLocal(m_[r])) ++r;
    *stop = r;
    if (At(r) != '@') return false;
    size_t local = p;
    while (local < r && !IsAlnum(m_[local])) ++local;
    if (local == r) return false;
    size_t d = r + 1;
    int labels = 0;
    size_t last_label = 0;
    size_t e = d;
    while (IsAlnum(At(d))) {
      e = d;
      while (IsAlnum(At(e)) || At(e) == '-') ++e;
      if (m_[e - 1] == '-') return false;
      ++labels;
      last_label = d;
      if (At(e) == '.' && IsAlnum(At(e + 1))) {
        d = e + 1;
      } else {
        break;
      }
    }
    if (labels < 2 || e - last_label < 2 || At(e) == '_') return false;
    for (size_t i = last_label; i < e; ++i) {
      if (!IsAlpha(m_[i])) return false;
    }
    *begin = local;
    *end = e;
    return true;
  }

 private:
  bool ValidId18(size_t p) const {
    static constexpr std::array<int, 17> kWeights = {7, 9, 10, 5, 8, 4, 2, 1, 6,
                                                     3, 7, 9, 10, 5, 8, 4, 2};
    static constexpr std::string_view kCheck = "10X98765432";
    if (!ValidProvince(Num(p, 2))) return false;
    const int year = Num(p + 6, 4);
    if (year < 1900 || year > 2099 || !ValidDate(year, Num(p + 10, 2), Num(p + 12, 2))) {
      return false;
    }
    int sum = 0;
    for (size_t i = 0; i < 17; ++i) sum += (m_[p + i] - '0') * kWeights[i];
    char last = m_[p + 17];
    if (last == 'x') last = 'X';
    return kCheck[sum % 11] == last;
  }

  size_t MobileBody(size_t q) const {
    if (At(q) != '1' || At(q + 1) < '3' || At(q + 1) > '9') return 0;
    const size_t len = DigitRun(q, 11);
    if (len == 11) return EndsToken(q + 11) ? q + 11 : 0;
    if (len == 3 && IsSep(At(q + 3)) && DigitRun(q + 4, 4) == 4 && IsSep(At(q + 8)) &&
        DigitRun(q + 9, 4) == 4 && EndsToken(q + 13)) {
      return q + 13;
    }
    return 0;
  }

  // Extends a landline ending at `end` by an optional "-123" extension.
  size_t WithExtension(size_t end) const {
    if (At(end) == '-') {
      const size_t ext = DigitRun(end + 1, 6);
      if (ext >= 1 && ext <= 6 && EndsToken(end + 1 + ext)) return end + 1 + ext;
    }
    return EndsToken(end) ? end : 0;
  }

  std::string_view m_;
  size_t n_;
};

}  // namespace

std::string_view PiiKindName(PiiKind kind) {
  switch (kind) {
    case PiiKind::kPhone:
      return "PHONE";
    case PiiKind::kEmail:
      return "EMAIL";
    case PiiKind::kIdCard:
      return "ID_CARD";
    case PiiKind::kBankCard:
      return "BANK_CARD";
  }
  return "UNKNOWN";
}

MaskResult MaskPii(std::string_view utf8) {
  // Fold to one byte per code point and remember where each one starts.
  std::string folded;
  std::vector<size_t> offsets;
  folded.reserve(utf8.size());
  offsets.reserve(utf8.size() + 1);
  for (size_t pos = 0; pos < utf8.size();) {
    offsets.push_back(pos);
    folded.push_back(FoldCodePoint(NextCodePoint(utf8, &pos)));
  }
  offsets.push_back(utf8.size());

  MaskResult result;
  result.text.reserve(utf8.size());
  size_t copied = 0;  // Byte offset in utf8 up to which output is written.
  const auto emit = [&](size_t begin, size_t end, PiiKind kind) {
    result.text.append(utf8.substr(copied, offsets[begin] - copied));
    result.text.append("[").append(PiiKindName(kind)).append("]");
    copied = offsets[end];
    ++result.count;
    bool seen = false;
    for (const PiiKind k : result.kinds) seen = seen || k == kind;
    if (!seen) result.kinds.push_back(kind);
  };

  const Scanner scan(folded);
  const size_t n = folded.size();
  size_t no_email_before = 0;
  size_t i = 0;
  while (i < n) {
    const char c = folded[i];
    if (i >= no_email_before && IsEmailLocal(c) && (i == 0 || !IsEmailLocal(folded[i - 1]))) {
      size_t begin, end, stop;
      if (scan.MatchEmail(i, &begin, &end, &stop)) {
        emit(begin, end, PiiKind::kEmail);
        i = end;
        continue;
      }
      no_email_before = stop;
    }
    if ((IsDigit(c) || c == '+' || c == '(') && scan.StartsToken(i)) {
      size_t end = 0;
      PiiKind kind = PiiKind::kPhone;
      if ((end = scan.MatchIdCard(i)) != 0) {
        kind = PiiKind::kIdCard;
      } else if ((end = scan.MatchBankCard(i)) != 0) {
        kind = PiiKind::kBankCard;
      } else if ((end = scan.MatchMobile(i)) != 0 || (end = scan.MatchLandline(i)) != 0 ||
                 (end = scan.MatchInternational(i)) != 0) {
        kind = PiiKind::kPhone;
      }
      if (end != 0) {
        emit(i, end, kind);
        i = end;
        continue;
      }
    }
    ++i;
  }
  result.text.append(utf8.substr(copied));
  return result;
}

}  // namespace fbl::text
