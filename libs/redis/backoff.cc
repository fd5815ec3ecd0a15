#include "libs/redis/backoff.h"

#include <algorithm>

namespace fbl::redis {

ExponentialBackoff::ExponentialBackoff(absl::Duration initial, absl::Duration max, double jitter,
                                       uint64_t seed)
    : initial_(std::max(initial, absl::Nanoseconds(1))),
      max_(std::max(max, initial_)),
      jitter_(std::clamp(jitter, 0.0, 1.0)),
      base_(initial_),
      rng_(seed) {}

absl::Duration ExponentialBackoff::NextDelay() {
  absl::Duration base = base_;
  base_ = base_ >= max_ / 2 ? max_ : base_ * 2;
  ++attempts_;
  if (jitter_ == 0.0) return base;
  std::uniform_real_distribution<double> fraction(0.0, jitter_);
  return base - base * fraction(rng_);
}

void ExponentialBackoff::Reset() {
  base_ = initial_;
  attempts_ = 0;
}

}  // namespace fbl::redis
