#pragma once
// UTF-8 helpers: strict validation, BOM stripping, code-point iteration.

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace fbl::text {

// Returned by NextCodePoint for an ill-formed byte sequence.
inline constexpr char32_t kReplacementChar = 0xFFFD;

// OK if `s` is well-formed UTF-8 (RFC 3629). Otherwise INVALID_ARGUMENT whose
// message names the byte offset of the first ill-formed sequence. Rejects
// overlong forms, surrogates (U+D800..U+DFFF), code points above U+10FFFF,
// stray continuation bytes and truncated sequences.
[[nodiscard]] absl::Status ValidateUtf8(std::string_view s);

// `s` without one leading U+FEFF (EF BB BF); anything else is returned as is.
std::string_view StripBom(std::string_view s);

// Number of code points in `s`. Assumes valid UTF-8 (counts non-continuation
// bytes), so it never fails.
size_t CodePointCount(std::string_view s);

// Decodes the code point starting at byte `*pos` and advances `*pos` past it.
// An ill-formed sequence yields kReplacementChar and advances by its maximal
// ill-formed prefix (at least one byte), so a loop always terminates.
// Precondition: *pos < s.size().
char32_t NextCodePoint(std::string_view s, size_t* pos);

// At most `max_bytes` of `s`, cut before a UTF-8 sequence that would not fit
// (never in the middle of one), so valid UTF-8 stays valid.
std::string_view Utf8Prefix(std::string_view s, size_t max_bytes);

// Appends the UTF-8 encoding of `cp` to `out`; a surrogate or a value above
// U+10FFFF is written as U+FFFD.
void AppendUtf8(char32_t cp, std::string* out);

}  // namespace fbl::text
