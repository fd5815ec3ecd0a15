#include "libs/text/utf8.h"

#include <string>

namespace fbl::text {
namespace {

// Decodes one code point at `pos`. Returns the number of bytes consumed when
// well-formed (and sets *cp); otherwise returns 0 and sets *bad_len to the
// length of the maximal ill-formed prefix (>= 1), per Unicode 3.9 "best
// practice for U+FFFD substitution".
size_t Decode(std::string_view s, size_t pos, char32_t* cp, size_t* bad_len) {
  const auto b0 = static_cast<unsigned char>(s[pos]);
  *bad_len = 1;
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  size_t need;
  char32_t value;
  // Valid range of the second byte, which rules out overlongs, surrogates and
  // values above U+10FFFF in one place (Unicode Table 3-7).
  unsigned char lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1;
    value = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2;
    value = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;  // overlong
    if (b0 == 0xED) hi = 0x9F;  // surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3;
    value = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;  // overlong
    if (b0 == 0xF4) hi = 0x8F;  // > U+10FFFF
  } else {
    return 0;  // C0, C1, F5..FF or a stray continuation byte
  }
  for (size_t i = 1; i <= need; ++i) {
    if (pos + i >= s.size()) {
      *bad_len = i;
      return 0;
    }
    const auto b = static_cast<unsigned char>(s[pos + i]);
    const unsigned char min = i == 1 ? lo : 0x80;
    const unsigned char max = i == 1 ? hi : 0xBF;
    if (b < min || b > max) {
      *bad_len = i;
      return 0;
    }
    value = (value << 6) | (b & 0x3F);
  }
  *cp = value;
  return need + 1;
}

}  // namespace

absl::Status ValidateUtf8(std::string_view s) {
  size_t pos = 0;
  while (pos < s.size()) {
    // Fast path for ASCII.
    if (static_cast<unsigned char>(s[pos]) < 0x80) {
      ++pos;
      continue;
    }
    char32_t cp;
    size_t bad_len;
    const size_t n = Decode(s, pos, &cp, &bad_len);
    if (n == 0) {
      return absl::InvalidArgumentError("invalid UTF-8 at byte offset " + std::to_string(pos));
    }
    pos += n;
  }
  return absl::OkStatus();
}

std::string_view Utf8Prefix(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  size_t n = max_bytes;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

std::string_view StripBom(std::string_view s) {
  if (s.size() >= 3 && s.substr(0, 3) == "\xEF\xBB\xBF") s.remove_prefix(3);
  return s;
}

size_t CodePointCount(std::string_view s) {
  size_t count = 0;
  for (const char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

char32_t NextCodePoint(std::string_view s, size_t* pos) {
  char32_t cp;
  size_t bad_len;
  const size_t n = Decode(s, *pos, &cp, &bad_len);
  if (n == 0) {
    *pos += bad_len;
    return kReplacementChar;
  }
  *pos += n;
  return cp;
}

void AppendUtf8(char32_t cp, std::string* out) {
  if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) cp = kReplacementChar;
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace fbl::text
