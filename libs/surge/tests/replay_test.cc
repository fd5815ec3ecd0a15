// Replays of the real datasets (shared/data) through the default policy:
// the figures documented in libs/surge/README.md, held to bounds.
#include "libs/surge/replay.h"

#include <string>

#include "gtest/gtest.h"

namespace fbl::surge {
namespace {

const std::string kCar = FBL_DATA_DIR "/car_complaints.csv";
const std::string kShopping = FBL_DATA_DIR "/online_shopping_10_cats.csv";

const InjectionRow* Row(const ReplayReport& r, const std::string& group) {
  for (const auto& row : r.injections) {
    if (row.group == group) return &row;
  }
  return nullptr;
}

TEST(CarComplaintsReplay, LoadsTheRealTimeline) {
  auto data = LoadCarComplaints(kCar);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->reports.size(), 2493u);
  ASSERT_EQ(data->window_labels.size(), 22u);  // 22 collection days
  EXPECT_EQ(data->window_labels.front(), "2020-06-05");
  EXPECT_EQ(data->window_labels.back(), "2021-02-07");
  EXPECT_EQ(data->kinds, (std::vector<std::string>{"model", "system", "model*system"}));
  EXPECT_FALSE(data->synthetic_timing);
  // The first row: 领动, "B33,B19," -> system B.
  const auto& keys = data->reports.front().keys;
  ASSERT_EQ(keys.size(), 3u);
  EXPECT_EQ(data->keys[keys[0]], "model:领动");
  EXPECT_EQ(data->keys[keys[1]], "system:B");
  EXPECT_EQ(data->keys[keys[2]], "model*system:领动*B");
}

// Default policy, weekly off (the windows are collection days, not a
// calendar), share baseline. Tuned on injection seed 1 with the "even" half
// of the keys; this is the held-out run: seed 2, "odd" half.
TEST(CarComplaintsReplay, CatchesInjectedTripleSurgesWithinTwoWindows) {
  auto data = LoadCarComplaints(kCar);
  ASSERT_TRUE(data.ok()) << data.status();
  ReplayOptions opt;
  opt.policy.weekly = false;
  opt.seed = 2;
  opt.key_half = 1;
  auto report = RunReplay(*data, opt);
  ASSERT_TRUE(report.ok()) << report.status();
  SCOPED_TRACE(FormatReport(*data, opt, *report));
  EXPECT_EQ(report->evaluated_windows, 15);
  const InjectionRow& all = report->all_injected();
  EXPECT_EQ(all.n, 600);
  EXPECT_GE(all.rate_within2(), 0.90);  // measured 582/600 = 97.0%
  for (const char* kind : {"model", "system", "model*system"}) {
    const InjectionRow* row = Row(*report, kind);
    ASSERT_NE(row, nullptr) << kind;
    EXPECT_GE(row->rate_within2(), 0.90) << kind;  // measured 98.0%, 94.0%, 99.0%
  }
  // The hard band: keys with 2-10 reports a day, where 3x is ~10-30.
  const InjectionRow* band = Row(*report, "mu 2-10");
  ASSERT_NE(band, nullptr);
  EXPECT_GE(band->n, 50);
  EXPECT_GE(band->rate_within2(), 0.80);  // measured 135/153 = 88.2%
}

// (a) on every key: the untouched data has 7 surge verdicts (4 alerts) in
// 29,940 key-windows, 0.23 per 1,000: system I on three days of the
// 2020-08 burst, system A once, models 轩逸 twice and 雷凌 once. The bound,
// 1 per 1,000 (about 2 a day for a service with 2,000 daily keys), leaves
// room for seed-free changes of the data handling but not for a policy that
// fires on ordinary noise.
TEST(CarComplaintsReplay, FalseWarningsStayRare) {
  auto data = LoadCarComplaints(kCar);
  ASSERT_TRUE(data.ok()) << data.status();
  ReplayOptions opt;
  opt.policy.weekly = false;
  opt.injections_per_kind = 0;
  auto report = RunReplay(*data, opt);
  ASSERT_TRUE(report.ok()) << report.status();
  SCOPED_TRACE(FormatReport(*data, opt, *report));
  const FalseWarningRow& all = report->all_false();
  EXPECT_EQ(all.key_windows, 29940);
  EXPECT_LE(all.per_1000(), 1.0);
  EXPECT_LE(all.alerts_per_1000(), 0.5);
  EXPECT_LE(all.alerts, all.warnings);  // the cooldown merges consecutive windows
}

// SYNTHETIC timing over real reviews: a strong weekly rhythm (Mondays 2.3x
// the mean, hotel reviews on weekends). With weekly on, false warnings stay
// near the nominal rate; with weekly off, the rhythm itself fires.
TEST(ShoppingSyntheticReplay, WeeklyRhythmIsNotASurge) {
  auto data = LoadOnlineShoppingSynthetic(kShopping, /*seed=*/8, /*weeks=*/26);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_TRUE(data->synthetic_timing);
  ReplayOptions opt;
  opt.share = false;
  opt.seed = 2;
  auto weekly = RunReplay(*data, opt);
  ASSERT_TRUE(weekly.ok()) << weekly.status();
  SCOPED_TRACE(FormatReport(*data, opt, *weekly));
  EXPECT_LE(weekly->all_false().per_1000(), 4.0);  // measured 2.0 (7 in 3,500)
  EXPECT_GE(weekly->all_injected().rate_within2(), 0.95);  // measured 98.8%
  opt.policy.weekly = false;
  opt.injections_per_kind = 0;
  auto flat = RunReplay(*data, opt);
  ASSERT_TRUE(flat.ok()) << flat.status();
  EXPECT_GE(flat->all_false().per_1000(), 50.0);  // measured 120
}

TEST(Replay, RejectsTooShortTimelines) {
  ReplayData data;
  data.window_labels = {"a", "b", "c"};
  data.kinds = {"k"};
  data.keys = {"k:x"};
  data.key_kind = {0};
  EXPECT_EQ(RunReplay(data, ReplayOptions{}).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace fbl::surge
