#pragma once
// INT-4: MinHash signatures for near-duplicate feedback from one customer.
// SimHash (simhash.h) separates unrelated texts well but moves several bits
// for a one-character edit of a short review; MinHash estimates the Jaccard
// similarity of the code-point bigram sets directly, which stays high for
// small edits of short texts.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fbl::text {

inline constexpr int kMinHashSize = 64;

// kMinHashSize minima of seeded stable hashes over the code-point bigrams of
// `compacted_utf8` (a single code point is a unigram). "" gives an empty
// signature. Persistable: identical across processes and machines.
std::vector<uint32_t> MinHashSignature(std::string_view compacted_utf8);

// Fraction of equal positions: an estimate of the Jaccard similarity.
// 0 when either signature is empty or their sizes differ.
double EstimateJaccard(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b);

// For storage: the low 16 bits of each value, big-endian, 2 bytes per value
// (b-bit MinHash: two different minima agree by chance with probability
// 2^-16, so the estimate moves by at most that). The low bits, because the
// high bits of a minimum are mostly zero. Compared byte-wise in Redis.
std::string MinHashToBytes16(const std::vector<uint32_t>& signature);

}  // namespace fbl::text
