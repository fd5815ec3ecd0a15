#include "services/notifier/delivery_policy.h"

#include <gtest/gtest.h>

namespace fbl::notifier {
namespace {

TEST(BackoffTest, DoublesUpToTheCapWithoutJitterAtZero) {
  RetryPolicy p;
  p.backoff_initial = absl::Milliseconds(200);
  p.backoff_max = absl::Seconds(5);
  p.jitter = 0.2;
  const int64_t expected[] = {200, 400, 800, 1600, 3200, 5000, 5000};
  for (int i = 0; i < 7; ++i) EXPECT_EQ(BackoffDelay(p, i + 1, 0.0), absl::Milliseconds(expected[i])) << i;
  EXPECT_EQ(BackoffDelay(p, 1000, 0.0), absl::Seconds(5));  // no overflow
}

TEST(BackoffTest, JitterShortensByAtMostItsFraction) {
  RetryPolicy p;
  p.backoff_initial = absl::Seconds(1);
  p.backoff_max = absl::Seconds(10);
  p.jitter = 0.25;
  for (double u : {0.0, 0.1, 0.5, 0.99}) {
    const absl::Duration d = BackoffDelay(p, 3, u);  // base 4 s
    EXPECT_LE(d, absl::Seconds(4));
    EXPECT_GT(d, absl::Seconds(3));
  }
  EXPECT_LT(BackoffDelay(p, 3, 0.9), BackoffDelay(p, 3, 0.1));
}

TEST(DeliveryPlanTest, TriesEachChannelThenFallsBackThenGivesUp) {
  RetryPolicy p;
  p.fallback_after = 3;
  DeliveryPlan plan(2, p);
  std::vector<std::pair<size_t, int>> steps;
  while (auto s = plan.Next()) {
    steps.emplace_back(s->channel, s->attempt);
    plan.Begin(*s);
    plan.RecordFailure(false);
    ASSERT_LT(steps.size(), 10u);
  }
  EXPECT_EQ(steps, (std::vector<std::pair<size_t, int>>{{0, 1}, {0, 2}, {0, 3}, {1, 1}, {1, 2}, {1, 3}}));
}

TEST(DeliveryPlanTest, PermanentFailureFallsBackAtOnce) {
  RetryPolicy p;
  p.fallback_after = 3;
  DeliveryPlan plan(3, p);
  auto s = plan.Next();
  plan.Begin(*s);
  plan.RecordFailure(/*permanent=*/true);
  s = plan.Next();
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->channel, 1u);
  EXPECT_EQ(s->attempt, 1);
}

TEST(DeliveryPlanTest, ResumesFromTheStoredPosition) {
  RetryPolicy p;
  p.fallback_after = 2;
  // A crash during attempt 1 on channel 0: that attempt counts.
  EXPECT_EQ(DeliveryPlan(2, p, 0, 1).Next()->attempt, 2);
  // A crash during the last attempt on channel 0: go on with channel 1.
  auto s = DeliveryPlan(2, p, 0, 2).Next();
  EXPECT_EQ(s->channel, 1u);
  EXPECT_EQ(s->attempt, 1);
  EXPECT_FALSE(DeliveryPlan(2, p, 1, 2).Next().has_value());
  EXPECT_FALSE(DeliveryPlan(0, p).Next().has_value());  // nobody to reach: nothing to do
}

TEST(TokenBucketTest, AllowsABurstThenPacesAtTheRate) {
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  TokenBucket b(/*rate=*/2, /*burst=*/2, t0);
  EXPECT_EQ(b.Take(t0), absl::ZeroDuration());
  EXPECT_EQ(b.Take(t0), absl::ZeroDuration());
  EXPECT_EQ(b.Take(t0), absl::Milliseconds(500));  // queued behind the burst
  EXPECT_EQ(b.Take(t0), absl::Seconds(1));
  // After 1 s the debt (2 tokens) is paid and nothing is stored yet.
  EXPECT_EQ(b.Take(t0 + absl::Seconds(1)), absl::Milliseconds(500));
  // Long idle refills only up to the burst.
  const absl::Time later = t0 + absl::Hours(1);
  EXPECT_EQ(b.Take(later), absl::ZeroDuration());
  EXPECT_EQ(b.Take(later), absl::ZeroDuration());
  EXPECT_GT(b.Take(later), absl::ZeroDuration());
}

TEST(TokenBucketTest, ZeroRateIsUnlimited) {
  TokenBucket b(0, 1, absl::UnixEpoch());
  for (int i = 0; i < 100; ++i) EXPECT_EQ(b.Take(absl::UnixEpoch()), absl::ZeroDuration());
}

}  // namespace
}  // namespace fbl::notifier
