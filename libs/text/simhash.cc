#include "libs/text/simhash.h"

#include <array>
#include <bit>

#include "libs/text/utf8.h"

namespace fbl::text {

uint64_t StableHash64(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a 64 offset basis
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;  // FNV-1a 64 prime
  }
  // fmix64
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

uint64_t SimHash(std::string_view compacted_utf8) {
  const std::string_view s = compacted_utf8;
  if (s.empty()) return 0;
  std::array<int64_t, 64> votes{};
  const auto add = [&votes](uint64_t h) {
    for (int bit = 0; bit < 64; ++bit) votes[bit] += ((h >> bit) & 1) != 0 ? 1 : -1;
  };
  size_t first = 0;
  size_t second = 0;
  NextCodePoint(s, &second);  // second = start of the 2nd code point
  if (second >= s.size()) {
    add(StableHash64(s));  // one code point: unigram
  } else {
    while (second < s.size()) {
      size_t third = second;
      NextCodePoint(s, &third);
      add(StableHash64(s.substr(first, third - first)));
      first = second;
      second = third;
    }
  }
  uint64_t result = 0;
  for (int bit = 0; bit < 64; ++bit) {
    if (votes[bit] > 0) result |= uint64_t{1} << bit;
  }
  return result;
}

int HammingDistance(uint64_t a, uint64_t b) { return std::popcount(a ^ b); }

}  // namespace fbl::text
