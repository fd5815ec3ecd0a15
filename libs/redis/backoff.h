#pragma once

#include <cstdint>
#include <random>

#include "absl/time/time.h"

namespace fbl::redis {

// Exponential backoff with jitter, pure logic (no sleeping, no clock).
// The n-th delay (n = 0, 1, ...) is base_n = min(initial * 2^n, max), made
// shorter by a random fraction of up to `jitter`: a value in
// ((1 - jitter) * base_n, base_n]. It never exceeds `max`. Not thread-safe.
class ExponentialBackoff {
 public:
  // Requires 0 < initial <= max and 0 <= jitter <= 1 (clamped otherwise).
  ExponentialBackoff(absl::Duration initial, absl::Duration max, double jitter = 0.2,
                     uint64_t seed = std::random_device{}());

  // The delay to wait before the next attempt; advances the schedule.
  absl::Duration NextDelay();

  // Back to `initial` (after a success).
  void Reset();

  int attempts() const { return attempts_; }  // NextDelay calls since Reset

 private:
  absl::Duration initial_;
  absl::Duration max_;
  double jitter_;
  absl::Duration base_;
  int attempts_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace fbl::redis
