// libFuzzer: UTF-8 validation, normalisation, PII masking, vagueness and
// near-duplicate hashing on arbitrary text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "libs/text/minhash.h"
#include "libs/text/normalize.h"
#include "libs/text/pii.h"
#include "libs/text/simhash.h"
#include "libs/text/utf8.h"
#include "libs/text/vague.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const fbl::text::Normalizer normalizer = *fbl::text::Normalizer::Create();
  static const fbl::text::VagueDetector vague;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (!fbl::text::ValidateUtf8(input).ok()) return 0;  // intake rejects these before any of the below
  fbl::text::MaskResult masked = fbl::text::MaskPii(input);
  if (!fbl::text::ValidateUtf8(masked.text).ok()) __builtin_trap();  // masking keeps valid UTF-8
  const std::string normalized = normalizer.Normalize(masked.text);
  if (!fbl::text::ValidateUtf8(normalized).ok()) __builtin_trap();
  if (normalizer.Normalize(normalized) != normalized) __builtin_trap();  // idempotent
  const std::string compact = fbl::text::Compact(normalized);
  (void)vague.Check(normalized);
  (void)fbl::text::SimHash(compact);
  (void)fbl::text::MinHashSignature(compact);
  return 0;
}
