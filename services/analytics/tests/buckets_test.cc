#include "services/analytics/buckets.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace fbl::analytics {
namespace {

using ::testing::ElementsAre;

absl::TimeZone Shanghai() {
  absl::TimeZone tz;
  EXPECT_TRUE(absl::LoadTimeZone("Asia/Shanghai", &tz));
  return tz;
}

absl::Time At(int y, int m, int d, int h = 0, int min = 0) {
  return absl::FromCivil(absl::CivilMinute(y, m, d, h, min), Shanghai());
}

TEST(BucketsTest, LabelsAreLocalTime) {
  Buckets b(Shanghai());
  // 2026-11-22 17:30 UTC is 2026-11-23 01:30 in Shanghai.
  const absl::Time t = absl::FromCivil(absl::CivilMinute(2026, 11, 22, 17, 30), absl::UTCTimeZone());
  EXPECT_EQ(b.HourLabel(t), "2026112301");
  EXPECT_EQ(b.DayLabel(t), "20261123");
}

TEST(BucketsTest, WeeksStartOnMondayAndMonthsOnTheFirst) {
  Buckets b(Shanghai());
  EXPECT_EQ(b.Start(At(2026, 11, 22, 13), Granularity::kWeek), At(2026, 11, 16));  // a Sunday
  EXPECT_EQ(b.Start(At(2026, 11, 23), Granularity::kWeek), At(2026, 11, 23));      // a Monday
  EXPECT_EQ(b.Start(At(2026, 11, 22, 13), Granularity::kMonth), At(2026, 11, 1));
  EXPECT_EQ(b.Next(At(2026, 12, 1), Granularity::kMonth), At(2027, 1, 1));
}

TEST(BucketsTest, EnumerateCoversOverlappingBuckets) {
  Buckets b(Shanghai());
  auto days = b.Enumerate(At(2026, 11, 1, 12), At(2026, 11, 3, 1), Granularity::kDay);
  ASSERT_TRUE(days.ok());
  EXPECT_THAT(*days, ElementsAre(At(2026, 11, 1), At(2026, 11, 2), At(2026, 11, 3)));
  EXPECT_FALSE(b.Enumerate(At(2026, 11, 3), At(2026, 11, 1), Granularity::kDay).ok());
  EXPECT_FALSE(b.Enumerate(At(2020, 1, 1), At(2026, 1, 1), Granularity::kHour).ok());  // > 10,000 buckets
}

TEST(BucketsTest, CoverUsesWholeDaysAndEdgeHours) {
  Buckets b(Shanghai());
  auto c = b.CoverPeriod(At(2026, 11, 1, 22), At(2026, 11, 4, 2));
  ASSERT_TRUE(c.ok());
  EXPECT_THAT(c->days, ElementsAre("20261102", "20261103"));
  EXPECT_THAT(c->hours, ElementsAre("2026110122", "2026110123", "2026110400", "2026110401"));
  EXPECT_THAT(c->touched_days, ElementsAre("20261101", "20261102", "20261103", "20261104"));
}

TEST(BucketsTest, CoverOfWholeDaysHasNoHours) {
  Buckets b(Shanghai());
  auto c = b.CoverPeriod(At(2026, 11, 16), At(2026, 11, 23));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->days.size(), 7u);
  EXPECT_TRUE(c->hours.empty());
}

}  // namespace
}  // namespace fbl::analytics
