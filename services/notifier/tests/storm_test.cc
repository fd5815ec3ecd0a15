#include "services/notifier/storm.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace fbl::notifier {
namespace {

using ::testing::HasSubstr;

// Replays the storm rules over a sequence of arrivals, keeping the state the
// way StormStore keeps it in Redis (current window, grouped count).
struct Replay {
  std::optional<StormWindow> current;
  int paged = 0;
  std::vector<int> summaries;  // grouped counts of windows closed so far
  int grouped_in_current = 0;

  void CloseIfDue(absl::Time now) {
    if (current && !current->closed && absl::ToUnixMillis(now) >= current->closes_ms) {
      current->closed = true;
      if (grouped_in_current > 0) summaries.push_back(grouped_in_current);
    }
  }
  void Arrive(absl::Time now, absl::Duration window) {
    CloseIfDue(now);
    StormDecision d = DecideStorm(current, now, window);
    if (d.grouped) {
      ++grouped_in_current;
    } else {
      ++paged;
      grouped_in_current = 0;
      current = d.window;
    }
  }
};

TEST(StormTest, FirstAlertPagesTheRestOfTheWindowIsGrouped) {
  const absl::Time t0 = absl::FromUnixSeconds(1795000000);
  const absl::Duration window = absl::Seconds(60);
  StormDecision first = DecideStorm(std::nullopt, t0, window);
  EXPECT_FALSE(first.grouped);
  EXPECT_EQ(first.window.start_ms, absl::ToUnixMillis(t0));
  EXPECT_EQ(first.window.closes_ms, absl::ToUnixMillis(t0 + window));
  StormDecision second = DecideStorm(first.window, t0 + absl::Seconds(59), window);
  EXPECT_TRUE(second.grouped);
  EXPECT_EQ(second.window.start_ms, first.window.start_ms);
  // At the close the next alert opens a new window.
  StormDecision after = DecideStorm(first.window, t0 + window, window);
  EXPECT_FALSE(after.grouped);
  EXPECT_GT(after.window.start_ms, first.window.start_ms);
  // A window being summarised takes no more alerts, even if its time is not up on this clock.
  StormWindow closed = first.window;
  closed.closed = true;
  StormDecision skewed = DecideStorm(closed, t0 + absl::Seconds(30), window);
  EXPECT_FALSE(skewed.grouped);
  EXPECT_GT(skewed.window.start_ms, closed.start_ms);
}

TEST(StormTest, TwentyAlertsInAMinuteGiveOnePageAndOneSummary) {
  Replay r;
  const absl::Time t0 = absl::FromUnixSeconds(1795000000);
  for (int i = 0; i < 20; ++i) r.Arrive(t0 + absl::Seconds(2) * i, absl::Seconds(60));
  r.CloseIfDue(t0 + absl::Seconds(60));
  EXPECT_EQ(r.paged, 1);
  EXPECT_EQ(r.summaries, std::vector<int>{19});
}

TEST(StormTest, ALongStormGivesOnePageAndOneUpdatePerWindow) {
  Replay r;
  const absl::Time t0 = absl::FromUnixSeconds(1795000000);
  for (int i = 0; i < 300; ++i) r.Arrive(t0 + absl::Seconds(1) * i, absl::Seconds(60));  // 5 minutes, 1/s
  r.CloseIfDue(t0 + absl::Minutes(10));
  EXPECT_EQ(r.paged, 5);
  EXPECT_EQ(r.summaries, (std::vector<int>{59, 59, 59, 59, 59}));
}

TEST(StormTest, QuietAlertsEachPage) {
  Replay r;
  const absl::Time t0 = absl::FromUnixSeconds(1795000000);
  for (int i = 0; i < 5; ++i) r.Arrive(t0 + absl::Minutes(2) * i, absl::Seconds(60));
  EXPECT_EQ(r.paged, 5);
  EXPECT_TRUE(r.summaries.empty());
}

TEST(StormTest, SummaryPageSaysHowMany) {
  Page first;
  first.alert_id = "ra-1";
  first.category = "ALERT_CATEGORY_SAFETY";
  first.severity = "SEVERITY_SEV1_CRITICAL";
  StormWindow w{1795000000000, 1795000060000, true};
  const Page p = StormSummaryPage(StormKey("safety", 0), w, 19, "safety", first);
  EXPECT_EQ(p.title, "[SEV1 SAFETY] 19 more safety alerts");
  EXPECT_THAT(p.text, HasSubstr("after alert ra-1"));
  EXPECT_EQ(p.grouped_count, 19);
  EXPECT_EQ(p.event_id, "storm:safety|t0:1795000000000");
  EXPECT_NE(StormKey("safety", 0), StormKey("safety", 1));
}

}  // namespace
}  // namespace fbl::notifier
