#pragma once
// Masks personal data in free text before it is stored, indexed or shown.

#include <string>
#include <string_view>
#include <vector>

namespace fbl::text {

enum class PiiKind { kPhone, kEmail, kIdCard, kBankCard };

// "PHONE", "EMAIL", "ID_CARD", "BANK_CARD".
std::string_view PiiKindName(PiiKind kind);

struct MaskResult {
  std::string text;            // Input with each match replaced by [<KIND>].
  std::vector<PiiKind> kinds;  // Distinct kinds found, in order of first appearance.
  int count = 0;               // Number of replacements.
};

// Replaces, left to right (the leftmost match wins, then the scan resumes after
// it), each of:
//   [PHONE]     Chinese mobile numbers 1[3-9]xxxxxxxxx, optionally prefixed by
//               +86 / 0086 / 86 and optionally grouped 3-4-4 with spaces or
//               hyphens; landlines 0AA-LLLLLLLL / 0AAA-LLLLLLL (also "(010)",
//               space instead of hyphen, contiguous, optional "-ext");
//               international "+" numbers of 8-15 digits (grouped allowed).
//   [EMAIL]     ASCII local@domain.tld.
//   [ID_CARD]   PRC resident ID: 18 chars (17 digits + digit/X) with a valid
//               province code, date of birth and ISO 7064 MOD 11-2 check
//               character, or the old 15-digit form with a valid YYMMDD.
//   [BANK_CARD] 16-19 digits, contiguous or in groups of four separated by
//               spaces or hyphens, passing the Luhn check.
// A number must be a token of its own: it is not masked when it touches an
// ASCII letter, digit or '_' (e.g. "DD202301011234567890", "iPhone13"), or
// continues through '.'/'-' into one (decimals, "2023-..." order numbers).
// Chinese characters are boundaries ("电话13800138000" is masked). Full-width
// digits and ASCII (U+FF01..U+FF5E) and U+3000 count as their ASCII forms;
// replaced spans cover the original bytes. Linear time; bytes that are not
// part of a match are copied unchanged (ill-formed UTF-8 included).
MaskResult MaskPii(std::string_view utf8);

}  // namespace fbl::text
