#pragma once
// Pure delivery policy: the retry schedule (exponential backoff with jitter),
// which channel to try next (fallback after repeated failures), and a token
// bucket for per-channel rate limits. No clock, no sleeping: times are
// parameters.

#include <cstddef>
#include <optional>

#include "absl/time/time.h"

namespace fbl::notifier {

struct RetryPolicy {
  int fallback_after = 3;  // attempts on one channel before the next one is tried
  absl::Duration backoff_initial = absl::Milliseconds(200);
  absl::Duration backoff_max = absl::Seconds(5);
  double jitter = 0.2;  // a delay is shortened by up to this fraction
};

// The delay after the `failures`-th consecutive failure on a channel
// (failures >= 1): base = min(initial * 2^(failures-1), max), shortened by
// jitter * u for `u` uniform in [0, 1): a value in ((1 - jitter) * base, base].
absl::Duration BackoffDelay(const RetryPolicy& policy, int failures, double u);

// Walks a person's channels: up to `fallback_after` attempts on each, in
// order of preference; a permanent failure (e.g. HTTP 400, a rejected
// recipient) moves on at once. Resumable from a stored position.
class DeliveryPlan {
 public:
  struct Step {
    size_t channel = 0;  // index into the person's channels
    int attempt = 1;     // 1-based attempt on that channel
  };

  DeliveryPlan(size_t channels, const RetryPolicy& policy, size_t channel = 0, int attempts_on_channel = 0)
      : channels_(channels), fallback_after_(policy.fallback_after < 1 ? 1 : policy.fallback_after),
        channel_(channel), attempts_(attempts_on_channel) {}

  // The next attempt, or nothing when every channel is used up.
  std::optional<Step> Next() const;
  // `step` (from Next) is being made: it counts from now on, also after a crash.
  void Begin(const Step& step) {
    channel_ = step.channel;
    attempts_ = step.attempt;
  }
  // The attempt failed; a permanent failure gives up the channel at once.
  void RecordFailure(bool permanent) {
    if (permanent) attempts_ = fallback_after_;
  }

  size_t channel() const { return channel_; }
  int attempts_on_channel() const { return attempts_; }

 private:
  size_t channels_;
  int fallback_after_;
  size_t channel_;
  int attempts_;  // attempts made on channel_
};

// Token bucket: `rate` tokens per second, at most `burst` stored. Take()
// always takes a token, going into debt if needed, and returns how long the
// caller must wait before using it, so callers queue up fairly. rate <= 0
// means unlimited. Not thread-safe.
class TokenBucket {
 public:
  TokenBucket(double rate, double burst, absl::Time now);
  absl::Duration Take(absl::Time now);

 private:
  double rate_;
  double burst_;
  double tokens_;
  absl::Time last_;
};

}  // namespace fbl::notifier
