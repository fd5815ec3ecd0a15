#include "tools/cli/parse.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "alerting/v1/alerting.pb.h"
#include "analytics/v1/analytics.pb.h"
#include "common/v1/common.pb.h"
#include "workorder/v1/workorder.pb.h"

namespace fbl::cli {
namespace {

namespace apb = ::feedbackloop::analytics::v1;
namespace cpb = ::feedbackloop::common::v1;
namespace wpb = ::feedbackloop::workorder::v1;
using ::testing::HasSubstr;

absl::TimeZone Shanghai() {
  absl::TimeZone tz;
  EXPECT_TRUE(absl::LoadTimeZone("Asia/Shanghai", &tz));
  return tz;
}

absl::Time Utc(const char* rfc3339) {
  absl::Time t;
  std::string err;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, rfc3339, &t, &err)) << err;
  return t;
}

TEST(ParseDurationTest, UnitsAndCombinations) {
  EXPECT_EQ(*ParseDuration("90s"), absl::Seconds(90));
  EXPECT_EQ(*ParseDuration("15m"), absl::Minutes(15));
  EXPECT_EQ(*ParseDuration("24h"), absl::Hours(24));
  EXPECT_EQ(*ParseDuration("7d"), absl::Hours(168));
  EXPECT_EQ(*ParseDuration("2w"), absl::Hours(336));
  EXPECT_EQ(*ParseDuration("1d12h"), absl::Hours(36));
  EXPECT_EQ(*ParseDuration(" 7D "), absl::Hours(168));
}

TEST(ParseDurationTest, RejectsWhatIsNotADuration) {
  for (const char* bad : {"", "7", "d", "7x", "0s", "-1d", "1.5h", "7d ago", "9999999999d"}) {
    auto d = ParseDuration(bad);
    EXPECT_FALSE(d.ok()) << bad;
    EXPECT_TRUE(absl::IsInvalidArgument(d.status())) << bad;
  }
  EXPECT_THAT(ParseDuration("7x").status().message(), HasSubstr("unknown unit 'x'"));
}

TEST(ParseTimePointTest, DatesLocalTimesAndRfc3339) {
  const absl::TimeZone tz = Shanghai();
  auto day = ParseTimePoint("2026-11-20", tz);
  ASSERT_TRUE(day.ok());
  EXPECT_TRUE(day->date_only);
  EXPECT_EQ(day->time, Utc("2026-11-19T16:00:00Z"));  // midnight in Shanghai
  EXPECT_EQ(ParseTimePoint("2026-11-20 09:30", tz)->time, Utc("2026-11-20T01:30:00Z"));
  EXPECT_EQ(ParseTimePoint("2026-11-20T09:30:15", tz)->time, Utc("2026-11-20T01:30:15Z"));
  EXPECT_EQ(ParseTimePoint("2026-11-20T01:00:00Z", tz)->time, Utc("2026-11-20T01:00:00Z"));
  EXPECT_EQ(ParseTimePoint("2026-11-20T09:00:00+08:00", tz)->time, Utc("2026-11-20T01:00:00Z"));
  EXPECT_FALSE(ParseTimePoint("2026-11-20T01:00:00Z", tz)->date_only);
  for (const char* bad : {"yesterday", "2026-13-01", "20/11/2026", ""}) EXPECT_FALSE(ParseTimePoint(bad, tz).ok()) << bad;
}

TEST(ResolvePeriodTest, LastFromToAndDefault) {
  const absl::TimeZone tz = Shanghai();
  const absl::Time now = Utc("2026-11-20T04:00:00Z");
  auto last = ResolvePeriod("", "", "7d", now, tz, absl::Hours(24));
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->start, now - absl::Hours(168));
  EXPECT_EQ(last->end, now);

  // Dates: the end day is included whole.
  auto range = ResolvePeriod("2026-11-01", "2026-11-07", "", now, tz, absl::Hours(24));
  ASSERT_TRUE(range.ok());
  EXPECT_EQ(range->start, Utc("2026-10-31T16:00:00Z"));
  EXPECT_EQ(range->end, Utc("2026-11-07T16:00:00Z"));

  // A time as the end is exclusive; no --from: the default length before it.
  auto to_only = ResolvePeriod("", "2026-11-10 12:00", "", now, tz, absl::Hours(24));
  ASSERT_TRUE(to_only.ok());
  EXPECT_EQ(to_only->end, Utc("2026-11-10T04:00:00Z"));
  EXPECT_EQ(to_only->start, Utc("2026-11-09T04:00:00Z"));

  auto from_only = ResolvePeriod("2026-11-19", "", "", now, tz, absl::Hours(24));
  ASSERT_TRUE(from_only.ok());
  EXPECT_EQ(from_only->end, now);

  auto none = ResolvePeriod("", "", "", now, tz, absl::Hours(24 * 7));
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->end - none->start, absl::Hours(168));
}

TEST(ResolvePeriodTest, Errors) {
  const absl::TimeZone tz = Shanghai();
  const absl::Time now = Utc("2026-11-20T04:00:00Z");
  EXPECT_THAT(ResolvePeriod("2026-11-01", "", "7d", now, tz, absl::Hours(1)).status().message(), HasSubstr("not both"));
  EXPECT_THAT(ResolvePeriod("2026-11-08", "2026-11-01", "", now, tz, absl::Hours(1)).status().message(),
              HasSubstr("empty"));
  EXPECT_THAT(ResolvePeriod("nope", "", "", now, tz, absl::Hours(1)).status().message(), HasSubstr("--from"));
  EXPECT_THAT(ResolvePeriod("", "", "7", now, tz, absl::Hours(1)).status().message(), HasSubstr("--last"));
}

TEST(ParseRangeTest, DatesOpenEndsAndDurations) {
  const absl::TimeZone tz = Shanghai();
  const absl::Time now = Utc("2026-11-20T04:00:00Z");
  auto october = ParseRange("2026-10-01..2026-10-31", now, tz);
  ASSERT_TRUE(october.ok());
  EXPECT_EQ(october->start, Utc("2026-09-30T16:00:00Z"));
  EXPECT_EQ(october->end, Utc("2026-10-31T16:00:00Z"));
  auto open = ParseRange("2026-11-01..", now, tz);
  ASSERT_TRUE(open.ok());
  EXPECT_EQ(open->end, now);
  auto last = ParseRange("7d", now, tz);
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->start, now - absl::Hours(168));
  auto times = ParseRange("2026-11-01T00:00:00Z..2026-11-02T00:00:00Z", now, tz);
  ASSERT_TRUE(times.ok());
  EXPECT_EQ(times->end - times->start, absl::Hours(24));
  for (const char* bad : {"..", "..2026-11-01", "2026-11-05..2026-11-01", "october", "2026-11-01..soon"}) {
    EXPECT_FALSE(ParseRange(bad, now, tz).ok()) << bad;
  }
}

TEST(ParseSinceTest, DurationOrTime) {
  const absl::Time now = Utc("2026-11-20T04:00:00Z");
  EXPECT_EQ(*ParseSince("24h", now, Shanghai()), now - absl::Hours(24));
  EXPECT_EQ(*ParseSince("2026-11-20", now, Shanghai()), Utc("2026-11-19T16:00:00Z"));
  EXPECT_FALSE(ParseSince("recently", now, Shanghai()).ok());
}

TEST(EnumTest, PrefixFromTheZeroValue) {
  EXPECT_EQ(EnumPrefix(*wpb::TicketState_descriptor()), "TICKET_STATE_");
  EXPECT_EQ(EnumPrefix(*cpb::Channel_descriptor()), "CHANNEL_");
  EXPECT_EQ(EnumPrefix(*apb::Dimension_descriptor()), "DIMENSION_");
}

TEST(EnumTest, ResolvesShortFullAndPrefixSpellings) {
  const auto& state = *wpb::TicketState_descriptor();
  EXPECT_EQ(*ResolveEnum(state, "in_progress"), wpb::TICKET_STATE_IN_PROGRESS);
  EXPECT_EQ(*ResolveEnum(state, "IN-PROGRESS"), wpb::TICKET_STATE_IN_PROGRESS);
  EXPECT_EQ(*ResolveEnum(state, "TICKET_STATE_IN_PROGRESS"), wpb::TICKET_STATE_IN_PROGRESS);
  EXPECT_EQ(*ResolveEnum(state, "ticket_state_in_progress"), wpb::TICKET_STATE_IN_PROGRESS);
  EXPECT_EQ(*ResolveEnum(state, " done "), wpb::TICKET_STATE_DONE);
  EXPECT_EQ(*ResolveEnum(state, "awaiting"), wpb::TICKET_STATE_AWAITING_VERIFICATION);  // unique prefix
  const auto& priority = *cpb::Priority_descriptor();
  EXPECT_EQ(*ResolveEnum(priority, "p0"), cpb::PRIORITY_P0_CRITICAL);
  EXPECT_EQ(*ResolveEnum(priority, "P2"), cpb::PRIORITY_P2_IMPORTANT);
  EXPECT_EQ(*ResolveEnum(*cpb::Channel_descriptor(), "email"), cpb::CHANNEL_EMAIL);
  EXPECT_EQ(*ResolveEnum(*cpb::Channel_descriptor(), "complaint_platform_blackcat"),
            cpb::CHANNEL_COMPLAINT_PLATFORM_BLACKCAT);
  EXPECT_EQ(*ResolveEnum(*apb::Dimension_descriptor(), "tag_l3"), apb::DIMENSION_TAG_L3);
}

TEST(EnumTest, RejectsUnspecifiedUnknownAndAmbiguous) {
  const auto& state = *wpb::TicketState_descriptor();
  EXPECT_FALSE(ResolveEnum(state, "unspecified").ok());
  EXPECT_FALSE(ResolveEnum(state, "TICKET_STATE_UNSPECIFIED").ok());
  EXPECT_FALSE(ResolveEnum(state, "").ok());
  auto unknown = ResolveEnum(state, "open");
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.status().message(),
              HasSubstr("one of: pending, in_progress, awaiting_verification, done, closed, cancelled, merged"));
  auto ambiguous = ResolveEnum(*cpb::Priority_descriptor(), "p");
  ASSERT_FALSE(ambiguous.ok());
  EXPECT_THAT(ambiguous.status().message(), HasSubstr("ambiguous"));
  auto social = ResolveEnum(*cpb::Channel_descriptor(), "social");
  ASSERT_FALSE(social.ok());
  EXPECT_THAT(social.status().message(), HasSubstr("social_weibo, social_douyin, social_other"));
}

TEST(EnumTest, ShortNames) {
  const auto& state = *wpb::TicketState_descriptor();
  EXPECT_EQ(ShortEnumName(state, wpb::TICKET_STATE_IN_PROGRESS), "in_progress");
  EXPECT_EQ(ShortEnumName(state, 0), "");
  EXPECT_EQ(ShortEnumName(state, 99), "99");
  EXPECT_EQ(ShortEnumName(*::feedbackloop::alerting::v1::Severity_descriptor(), 1), "sev1_critical");
  const auto names = ShortEnumNames(*apb::Granularity_descriptor());
  EXPECT_EQ(names, (std::vector<std::string>{"hour", "day", "week", "month"}));
  EXPECT_EQ(ShortenEnumString("PROBLEM_TYPE_LOGISTICS", "PROBLEM_TYPE_"), "logistics");
  EXPECT_EQ(ShortenEnumString("logistics", "PROBLEM_TYPE_"), "logistics");
  EXPECT_EQ(ShortenEnumString("PROBLEM_TYPE_", "PROBLEM_TYPE_"), "PROBLEM_TYPE_");
}

TEST(ParseTagSpecTest, LevelFromCodeShapeOrPrefix) {
  auto l1 = ParseTagSpec("complaint");
  ASSERT_TRUE(l1.ok());
  EXPECT_EQ(l1->level, 1);
  auto l2 = ParseTagSpec("logistics");
  ASSERT_TRUE(l2.ok());
  EXPECT_EQ(l2->level, 2);
  EXPECT_EQ(l2->code, "logistics");
  auto l3 = ParseTagSpec("logistics.late_delivery");
  ASSERT_TRUE(l3.ok());
  EXPECT_EQ(l3->level, 3);
  auto explicit_level = ParseTagSpec("L2:praise_module");
  ASSERT_TRUE(explicit_level.ok());
  EXPECT_EQ(explicit_level->level, 2);
  EXPECT_EQ(explicit_level->code, "praise_module");
  EXPECT_FALSE(ParseTagSpec("").ok());
  EXPECT_FALSE(ParseTagSpec("l3:").ok());
  EXPECT_FALSE(ParseTagSpec("two words").ok());
}

TEST(ParseKeyValueTest, SplitsAtTheFirstEquals) {
  auto kv = ParseKeyValue("company=某某电商");
  ASSERT_TRUE(kv.ok());
  EXPECT_EQ(kv->first, "company");
  EXPECT_EQ(kv->second, "某某电商");
  EXPECT_EQ(ParseKeyValue("a=b=c")->second, "b=c");
  EXPECT_EQ(ParseKeyValue("empty=")->second, "");
  EXPECT_FALSE(ParseKeyValue("novalue").ok());
  EXPECT_FALSE(ParseKeyValue("=x").ok());
}

TEST(ParseFilterTest, EnumValuedDimensionsGetFullNames) {
  auto channel = ParseFilter("channel=email");
  ASSERT_TRUE(channel.ok());
  EXPECT_EQ(channel->dimension, apb::DIMENSION_CHANNEL);
  EXPECT_EQ(channel->value, "CHANNEL_EMAIL");
  auto problem = ParseFilter("problem_type=logistics");
  ASSERT_TRUE(problem.ok());
  EXPECT_EQ(problem->value, "PROBLEM_TYPE_LOGISTICS");
  auto vip = ParseFilter("customer_type=VIP");
  ASSERT_TRUE(vip.ok());
  EXPECT_EQ(vip->value, "CUSTOMER_TYPE_VIP");
  auto tag = ParseFilter("tag_l3=logistics.late_delivery");
  ASSERT_TRUE(tag.ok());
  EXPECT_EQ(tag->dimension, apb::DIMENSION_TAG_L3);
  EXPECT_EQ(tag->value, "logistics.late_delivery");
  EXPECT_THAT(ParseFilter("colour=red").status().message(), HasSubstr("dimension"));
  EXPECT_THAT(ParseFilter("channel=fax").status().message(), HasSubstr("unknown value 'fax'"));
  EXPECT_FALSE(ParseFilter("channel").ok());
  EXPECT_FALSE(ParseFilter("batch=").ok());
}

}  // namespace
}  // namespace fbl::cli
