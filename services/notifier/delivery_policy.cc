#include "services/notifier/delivery_policy.h"

#include <algorithm>
#include <cmath>

namespace fbl::notifier {

absl::Duration BackoffDelay(const RetryPolicy& policy, int failures, double u) {
  if (failures < 1) failures = 1;
  absl::Duration base = policy.backoff_initial;
  for (int i = 1; i < failures && base < policy.backoff_max; ++i) base *= 2;
  base = std::min(base, policy.backoff_max);
  const double jitter = std::clamp(policy.jitter, 0.0, 1.0);
  u = std::clamp(u, 0.0, 1.0);
  return base - base * (jitter * u);
}

std::optional<DeliveryPlan::Step> DeliveryPlan::Next() const {
  if (attempts_ >= fallback_after_) {
    if (channel_ + 1 >= channels_) return std::nullopt;
    return Step{channel_ + 1, 1};
  }
  if (channel_ >= channels_) return std::nullopt;
  return Step{channel_, attempts_ + 1};
}

TokenBucket::TokenBucket(double rate, double burst, absl::Time now)
    : rate_(rate), burst_(std::max(burst, 1.0)), tokens_(std::max(burst, 1.0)), last_(now) {}

absl::Duration TokenBucket::Take(absl::Time now) {
  if (rate_ <= 0) return absl::ZeroDuration();
  if (now > last_) {
    tokens_ = std::min(burst_, tokens_ + absl::ToDoubleSeconds(now - last_) * rate_);
    last_ = now;
  }
  tokens_ -= 1;
  if (tokens_ >= 0) return absl::ZeroDuration();
  return absl::Seconds(-tokens_ / rate_);
}

}  // namespace fbl::notifier
