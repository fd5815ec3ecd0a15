#pragma once
// Text normalisation for matching: NFKC + Unicode case folding (ICU
// NFKC_Casefold), whitespace collapsing, and a "compact" form without
// whitespace, punctuation and symbols.

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"

namespace fbl::text {

// Cheap to copy; wraps ICU's process-wide, immutable NFKC_Casefold instance
// (ICU types stay out of this header). All methods are const and thread-safe.
class Normalizer {
 public:
  // Fails (INTERNAL) only if ICU's normalisation data cannot be loaded.
  [[nodiscard]] static absl::StatusOr<Normalizer> Create();

  // Strips a leading BOM, applies NFKC_Casefold (full-width ASCII ->
  // ASCII, ideographic space -> space, compatibility ideographs and Kangxi
  // radicals -> unified ideographs, circled digits -> digits, upper -> lower
  // case, default-ignorables such as U+200B ZERO WIDTH SPACE removed),
  // then turns each run of white space and control characters into one ASCII
  // space and trims both ends. Ill-formed UTF-8 becomes U+FFFD.
  // Traditional Chinese is NOT converted to simplified.
  std::string Normalize(std::string_view utf8) const;

 private:
  struct Impl;
  explicit Normalizer(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

  std::shared_ptr<const Impl> impl_;  // Never null.
};

// Removes every code point whose general category is Z* (separators), P*
// (punctuation), S* (symbols), Cc (control) or Cf (format), so "安 全",
// "安-全" and "安★全" all become "安全". Meant for the output of
// Normalizer::Normalize (so that full-width punctuation is already folded);
// ill-formed UTF-8 is dropped. Pure and thread-safe.
std::string Compact(std::string_view normalized);

}  // namespace fbl::text
