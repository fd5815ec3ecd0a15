#include "libs/text/minhash.h"

#include <limits>

#include "libs/text/simhash.h"
#include "libs/text/utf8.h"

namespace fbl::text {
namespace {

uint64_t Mix(uint64_t h, uint64_t seed) {
  h ^= seed * 0x9e3779b97f4a7c15ULL;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

}  // namespace

std::vector<uint32_t> MinHashSignature(std::string_view s) {
  if (s.empty()) return {};
  std::vector<uint32_t> sig(kMinHashSize, std::numeric_limits<uint32_t>::max());
  const auto add = [&sig](uint64_t feature) {
    for (int i = 0; i < kMinHashSize; ++i) {
      uint32_t h = static_cast<uint32_t>(Mix(feature, static_cast<uint64_t>(i) + 1) >> 32);
      if (h < sig[i]) sig[i] = h;
    }
  };
  size_t first = 0;
  size_t second = 0;
  NextCodePoint(s, &second);
  if (second >= s.size()) {
    add(StableHash64(s));
    return sig;
  }
  while (second < s.size()) {
    size_t third = second;
    NextCodePoint(s, &third);
    add(StableHash64(s.substr(first, third - first)));
    first = second;
    second = third;
  }
  return sig;
}

double EstimateJaccard(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
  if (a.empty() || a.size() != b.size()) return 0;
  int equal = 0;
  for (size_t i = 0; i < a.size(); ++i) equal += a[i] == b[i];
  return static_cast<double>(equal) / static_cast<double>(a.size());
}

std::string MinHashToBytes16(const std::vector<uint32_t>& signature) {
  std::string out;
  out.reserve(signature.size() * 2);
  for (uint32_t v : signature) {
    out.push_back(static_cast<char>((v >> 8) & 0xff));
    out.push_back(static_cast<char>(v & 0xff));
  }
  return out;
}

}  // namespace fbl::text
