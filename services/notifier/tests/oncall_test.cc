#include "services/notifier/oncall.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace fbl::notifier {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

absl::Time T(const std::string& rfc3339) {
  absl::Time t;
  std::string err;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, rfc3339, &t, &err)) << err;
  return t;
}

std::vector<Person> People(std::initializer_list<const char*> ids) {
  std::vector<Person> out;
  for (const char* id : ids) out.push_back({id, id, {{ChannelType::kWebhook, "http://127.0.0.1:1/hook"}}});
  return out;
}

OnCallDirectory Directory(const std::vector<RotationSpec>& rotations, const std::vector<OverrideSpec>& overrides = {},
                          std::vector<RouteSpec> routes = {}) {
  auto d = OnCallDirectory::Create(People({"li", "wang", "zhao", "chen", "boss"}), rotations, overrides,
                                   std::move(routes));
  EXPECT_TRUE(d.ok()) << d.status();
  return *std::move(d);
}

std::string OnCall(const OnCallDirectory& d, const std::string& rotation, const std::string& at) {
  auto p = d.OnCall(rotation, T(at));
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? *p : "";
}

TEST(OnCallTest, WeeklyRotationCyclesThroughMembers) {
  auto d = Directory({{"weekly", {"li", "wang", "zhao"}, absl::Hours(24 * 7), "2026-01-05T09:00", "UTC"}});
  EXPECT_EQ(OnCall(d, "weekly", "2026-01-05T09:00:00Z"), "li");
  EXPECT_EQ(OnCall(d, "weekly", "2026-01-12T08:59:59Z"), "li");
  EXPECT_EQ(OnCall(d, "weekly", "2026-01-12T09:00:00Z"), "wang");
  EXPECT_EQ(OnCall(d, "weekly", "2026-01-19T09:00:00Z"), "zhao");
  EXPECT_EQ(OnCall(d, "weekly", "2026-01-26T09:00:00Z"), "li");
  EXPECT_EQ(OnCall(d, "weekly", "2026-01-05T08:59:59Z"), "zhao");  // before the start: the cycle extends backwards
}

// New York's clocks spring forward on 2026-03-08. A daily 09:00 hand-over
// happens at 14:00 UTC before and at 13:00 UTC after; counting fixed 24 h
// from the start would be an hour late from then on.
TEST(OnCallTest, DailyHandOverStaysAtLocalWallClockTimeAcrossDst) {
  auto d = Directory({{"ny", {"li", "wang"}, absl::Hours(24), "2026-03-01T09:00", "America/New_York"}});
  EXPECT_EQ(OnCall(d, "ny", "2026-03-07T13:59:00Z"), "wang");  // 08:59 EST, day 5
  EXPECT_EQ(OnCall(d, "ny", "2026-03-07T14:00:00Z"), "li");    // 09:00 EST, day 6
  EXPECT_EQ(OnCall(d, "ny", "2026-03-08T12:59:00Z"), "li");    // 08:59 EDT on the 8th: still day 6
  EXPECT_EQ(OnCall(d, "ny", "2026-03-08T13:00:00Z"), "wang");  // 09:00 EDT on the 8th: day 7
  EXPECT_EQ(OnCall(d, "ny", "2026-03-09T12:59:00Z"), "wang");  // 08:59 EDT
  EXPECT_EQ(OnCall(d, "ny", "2026-03-09T13:00:00Z"), "li");    // 09:00 EDT: day 8 (fixed 24 h would say 14:00Z)
  // And back in autumn (2026-11-01): 09:00 EST is 14:00 UTC again.
  EXPECT_EQ(OnCall(d, "ny", "2026-11-02T13:59:00Z"), OnCall(d, "ny", "2026-11-01T14:00:00Z"));
  EXPECT_NE(OnCall(d, "ny", "2026-11-02T14:00:00Z"), OnCall(d, "ny", "2026-11-02T13:59:00Z"));
}

// Shanghai hands over at local midnight, which is 16:00 UTC of the day before.
TEST(OnCallTest, HandOverFollowsTheRotationsTimeZoneNotUtcDates) {
  auto d = Directory({{"sh", {"li", "wang"}, absl::Hours(24), "2026-11-20T00:00", "Asia/Shanghai"},
                      {"utc", {"li", "wang"}, absl::Hours(24), "2026-11-20T00:00", "UTC"}});
  EXPECT_EQ(OnCall(d, "sh", "2026-11-20T15:59:59Z"), "li");    // 23:59:59 on the 20th in Shanghai
  EXPECT_EQ(OnCall(d, "sh", "2026-11-20T16:00:00Z"), "wang");  // 00:00 on the 21st in Shanghai
  EXPECT_EQ(OnCall(d, "utc", "2026-11-20T16:00:00Z"), "li");   // still the 20th in UTC
  EXPECT_EQ(OnCall(d, "utc", "2026-11-21T00:00:00Z"), "wang");
}

TEST(OnCallTest, ShiftsShorterThanADayCountRealTime) {
  auto d = Directory({{"8h", {"li", "wang", "zhao"}, absl::Hours(8), "2026-03-08T00:00", "America/New_York"}});
  // 00:00 EST = 05:00Z; after the DST jump shifts still last 8 real hours.
  EXPECT_EQ(OnCall(d, "8h", "2026-03-08T05:00:00Z"), "li");
  EXPECT_EQ(OnCall(d, "8h", "2026-03-08T13:00:00Z"), "wang");
  EXPECT_EQ(OnCall(d, "8h", "2026-03-08T21:00:00Z"), "zhao");
  EXPECT_EQ(OnCall(d, "8h", "2026-03-09T05:00:00Z"), "li");
}

TEST(OnCallTest, OverrideReplacesTheRotationInItsWindowOnly) {
  auto d = Directory({{"sh", {"li", "wang"}, absl::Hours(24 * 7), "2026-11-16T09:00", "Asia/Shanghai"}},
                     {{"sh", "zhao", "2026-11-20T18:00:00+08:00", "2026-11-21T09:00:00+08:00"},
                      // civil times are read in the rotation's zone; a later override wins
                      {"sh", "chen", "2026-11-20T22:00", "2026-11-20T23:00"}});
  EXPECT_EQ(OnCall(d, "sh", "2026-11-20T09:59:59Z"), "li");     // 17:59:59 local
  EXPECT_EQ(OnCall(d, "sh", "2026-11-20T10:00:00Z"), "zhao");   // 18:00 local
  EXPECT_EQ(OnCall(d, "sh", "2026-11-20T14:30:00+00:00"), "chen");  // 22:30 local
  EXPECT_EQ(OnCall(d, "sh", "2026-11-20T15:00:00Z"), "zhao");   // 23:00 local: chen's window is over
  EXPECT_EQ(OnCall(d, "sh", "2026-11-21T01:00:00Z"), "li");     // 09:00 local: end is exclusive
}

std::vector<RouteSpec> Routes() {
  RouteSpec safety{"safety-sev1", 0, {"ALERT_CATEGORY_SAFETY", "ALERT_CATEGORY_INJURY_HEALTH"},
                   {"SEVERITY_SEV1_CRITICAL"}, {}, {"primary"}, {}, true};
  RouteSpec quality{"quality-dept", 0, {}, {}, {"quality"}, {"secondary"}, {}, false};
  RouteSpec catch_all{"catch-all", 0, {}, {}, {}, {"secondary"}, {}, false};
  RouteSpec tier1{"tier1", 1, {}, {}, {}, {"secondary"}, {"chen"}, false};
  RouteSpec management{"management", 2, {}, {}, {}, {}, {"boss"}, false};
  return {safety, quality, catch_all, tier1, management};
}

TEST(RoutingTest, RoutesByCategorySeverityDepartmentAndTier) {
  auto d = Directory({{"primary", {"li", "wang"}, absl::Hours(24 * 7), "2026-11-16T09:00", "Asia/Shanghai"},
                      {"secondary", {"zhao", "chen"}, absl::Hours(24 * 7), "2026-11-16T09:00", "Asia/Shanghai"}},
                     {}, Routes());
  const absl::Time at = T("2026-11-18T02:00:00Z");  // li (primary), zhao (secondary)
  // Safety SEV1: primary, and `continue` lets the next match add the catch-all's secondary.
  RoutingResult r = d.Route({"ALERT_CATEGORY_SAFETY", "SEVERITY_SEV1_CRITICAL", "", 0}, at);
  EXPECT_THAT(r.people, ElementsAre("li", "zhao"));
  EXPECT_THAT(r.routes, ElementsAre("safety-sev1", "catch-all"));
  EXPECT_EQ(r.tier, 0);
  // SEV2 safety does not match the first route; the department route wins before the catch-all.
  r = d.Route({"ALERT_CATEGORY_SAFETY", "SEVERITY_SEV2_HIGH", "Quality", 0}, at);
  EXPECT_THAT(r.routes, ElementsAre("quality-dept"));
  EXPECT_THAT(r.people, ElementsAre("zhao"));
  // Tier-1 escalation pages the tier-1 route (rotation + a person), each person once.
  r = d.Route({"ALERT_CATEGORY_FRAUD", "SEVERITY_SEV1_CRITICAL", "", 1}, at);
  EXPECT_THAT(r.people, ElementsAre("zhao", "chen"));
  EXPECT_EQ(r.tier, 1);
  // Management.
  r = d.Route({"ALERT_CATEGORY_FRAUD", "SEVERITY_SEV1_CRITICAL", "", 2}, at);
  EXPECT_THAT(r.people, ElementsAre("boss"));
  // Beyond the last configured tier: the highest lower tier still pages.
  r = d.Route({"ALERT_CATEGORY_FRAUD", "SEVERITY_SEV1_CRITICAL", "", 5}, at);
  EXPECT_THAT(r.people, ElementsAre("boss"));
  EXPECT_EQ(r.tier, 2);
}

TEST(RoutingTest, NoMatchingRoutePagesNobody) {
  RouteSpec only_fraud{"fraud", 0, {"ALERT_CATEGORY_FRAUD"}, {}, {}, {}, {"li"}, false};
  auto d = Directory({}, {}, {only_fraud});
  RoutingResult r = d.Route({"ALERT_CATEGORY_SAFETY", "SEVERITY_SEV1_CRITICAL", "", 0}, absl::Now());
  EXPECT_THAT(r.people, IsEmpty());
  EXPECT_EQ(r.tier, -1);
}

TEST(OnCallDirectoryTest, RefusesInconsistentConfig) {
  auto bad = [](std::vector<RotationSpec> rotations, std::vector<OverrideSpec> overrides,
                std::vector<RouteSpec> routes) {
    return OnCallDirectory::Create(People({"li"}), rotations, overrides, routes).status();
  };
  EXPECT_THAT(bad({{"r", {"ghost"}, absl::Hours(24), "2026-01-01T00:00", "UTC"}}, {}, {}).message(),
              HasSubstr("unknown member ghost"));
  EXPECT_THAT(bad({{"r", {"li"}, absl::Hours(24), "2026-01-01T00:00", "Mars/Olympus"}}, {}, {}).message(),
              HasSubstr("unknown time zone"));
  EXPECT_THAT(bad({{"r", {"li"}, absl::Hours(24), "next monday", "UTC"}}, {}, {}).message(), HasSubstr("start"));
  EXPECT_THAT(bad({{"r", {"li"}, absl::Hours(24), "2026-01-01T00:00", "UTC"}},
                  {{"r", "li", "2026-01-02T00:00", "2026-01-01T00:00"}}, {})
                  .message(),
              HasSubstr("end must be after start"));
  EXPECT_THAT(bad({}, {}, {{"x", 0, {}, {}, {}, {"nope"}, {}, false}}).message(), HasSubstr("unknown rotation nope"));
  EXPECT_THAT(bad({}, {}, {{"x", 0, {}, {}, {}, {}, {}, false}}).message(), HasSubstr("pages nobody"));
  EXPECT_FALSE(OnCallDirectory::Create({{"p", "", {}}}, {}, {}, {}).ok());  // no channels
}

}  // namespace
}  // namespace fbl::notifier
