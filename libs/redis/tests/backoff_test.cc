#include "libs/redis/backoff.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <vector>

namespace fbl::redis {
namespace {

TEST(ExponentialBackoffTest, DoublesUpToMaxWithoutJitter) {
  ExponentialBackoff b(absl::Milliseconds(50), absl::Seconds(2), /*jitter=*/0.0);
  std::vector<absl::Duration> got;
  for (int i = 0; i < 9; ++i) got.push_back(b.NextDelay());
  std::vector<absl::Duration> want = {
      absl::Milliseconds(50),  absl::Milliseconds(100), absl::Milliseconds(200),
      absl::Milliseconds(400), absl::Milliseconds(800), absl::Milliseconds(1600),
      absl::Seconds(2),        absl::Seconds(2),        absl::Seconds(2)};
  EXPECT_EQ(got, want);
  EXPECT_EQ(b.attempts(), 9);
}

TEST(ExponentialBackoffTest, ResetStartsOver) {
  ExponentialBackoff b(absl::Milliseconds(50), absl::Seconds(2), 0.0);
  b.NextDelay();
  b.NextDelay();
  b.Reset();
  EXPECT_EQ(b.attempts(), 0);
  EXPECT_EQ(b.NextDelay(), absl::Milliseconds(50));
}

TEST(ExponentialBackoffTest, JitterStaysWithinBoundsAndVaries) {
  ExponentialBackoff b(absl::Milliseconds(50), absl::Seconds(2), 0.2, /*seed=*/42);
  absl::Duration base = absl::Milliseconds(50);
  std::set<int64_t> distinct;
  for (int i = 0; i < 40; ++i) {
    absl::Duration d = b.NextDelay();
    EXPECT_LE(d, base) << i;
    EXPECT_GT(d, base * 0.8) << i;
    EXPECT_LE(d, absl::Seconds(2));
    distinct.insert(absl::ToInt64Microseconds(d));
    base = std::min(base * 2, absl::Seconds(2));
  }
  EXPECT_GT(distinct.size(), 30u);
}

TEST(ExponentialBackoffTest, SameSeedSameSchedule) {
  ExponentialBackoff a(absl::Milliseconds(10), absl::Seconds(1), 0.5, 7);
  ExponentialBackoff b(absl::Milliseconds(10), absl::Seconds(1), 0.5, 7);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(a.NextDelay(), b.NextDelay());
}

TEST(ExponentialBackoffTest, MaxBelowInitialIsClamped) {
  ExponentialBackoff b(absl::Seconds(1), absl::Milliseconds(10), 0.0);
  EXPECT_EQ(b.NextDelay(), absl::Seconds(1));
  EXPECT_EQ(b.NextDelay(), absl::Seconds(1));
}

}  // namespace
}  // namespace fbl::redis
