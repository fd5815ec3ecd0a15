#pragma once
// INT-4: 64-bit SimHash for near-duplicate feedback.

#include <cstdint>
#include <string_view>

namespace fbl::text {

// Stable 64-bit hash: FNV-1a 64 followed by the MurmurHash3 fmix64 finaliser
// (FNV alone leaves the low bits weakly mixed). Identical on every platform
// and process; safe to persist.
uint64_t StableHash64(std::string_view bytes);

// SimHash over overlapping code-point bigrams of `compacted_utf8` (the output
// of Compact(Normalize(x))), each feature weighted 1; a single code point is
// hashed as a unigram; "" gives 0. Persistable (see StableHash64).
uint64_t SimHash(std::string_view compacted_utf8);

int HammingDistance(uint64_t a, uint64_t b);

inline bool NearDuplicate(uint64_t a, uint64_t b, int max_distance = 3) {
  return HammingDistance(a, b) <= max_distance;
}

}  // namespace fbl::text
