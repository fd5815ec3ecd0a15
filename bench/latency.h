// Latency percentiles for the benchmarks, by nearest rank: the p99 of 100
// samples is the 99th smallest (the largest is reported as max).
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

namespace fbl::bench {

struct Percentiles {
  double p50 = 0, p99 = 0, max = 0;
};

// The q-quantile of sorted samples (0 when there are none).
inline double NearestRank(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size()) - 1e-9));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

inline Percentiles Summarize(std::vector<double> ms) {
  if (ms.empty()) return {};
  std::sort(ms.begin(), ms.end());
  return {NearestRank(ms, 0.5), NearestRank(ms, 0.99), ms.back()};
}

}  // namespace fbl::bench
