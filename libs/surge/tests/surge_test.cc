#include "libs/surge/surge.h"

#include <cmath>
#include <cstdint>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fbl::surge {
namespace {

using ::testing::HasSubstr;

// Reference values: mpmath, gammainc(k, 0, lambda, regularized=True), 40 digits.
TEST(PoissonUpperTail, MatchesReferenceValues) {
  struct Case {
    int64_t k;
    double lambda, want;
  };
  for (const Case& c : std::vector<Case>{{5, 0.5, 0.00017211562995584078},
                                         {2, 0.5, 0.090204010431049865},
                                         {1, 1.0, 0.63212055882855768},
                                         {10, 3.0, 0.0011024881301154797},
                                         {30, 10.0, 2.5099512015279078e-7},
                                         {100, 50.0, 3.2000653245851253e-10},
                                         {1000, 1000.0, 0.50420524418021551},
                                         {1200, 1000.0, 4.6842038558722808e-10},
                                         {3, 3.0, 0.57680991887315648},
                                         {20, 1.0, 1.587527601073263e-19},
                                         {60, 20.0, 4.233284694712903e-13}}) {
    EXPECT_NEAR(PoissonUpperTail(c.k, c.lambda) / c.want, 1.0, 1e-10) << "k=" << c.k << " lambda=" << c.lambda;
  }
  EXPECT_EQ(PoissonUpperTail(0, 2.0), 1.0);
  EXPECT_EQ(PoissonUpperTail(-3, 2.0), 1.0);
  EXPECT_EQ(PoissonUpperTail(1, 0.0), 0.0);
  // Tiny tails stay positive and ordered, no underflow to 0 at moderate sizes.
  const double a = PoissonUpperTail(200, 10.0), b = PoissonUpperTail(201, 10.0);
  EXPECT_GT(a, 0);
  EXPECT_LT(b, a);
}

Policy Daily(bool weekly) {
  Policy p;
  p.weekly = weekly;
  return p;
}

TEST(Evaluate, LowCountsDoNotFire) {
  const Policy p = Daily(false);
  const std::vector<int64_t> zeros(28, 0);
  for (int64_t n : {1, 2, 3, 4}) {
    const Verdict v = Evaluate(n, zeros, p);
    EXPECT_TRUE(v.ready);
    EXPECT_FALSE(v.surge) << n << ": " << v.reason;
    EXPECT_DOUBLE_EQ(v.expected, p.floor_rate);  // the floor, not 0
  }
  EXPECT_THAT(Evaluate(2, zeros, p).reason, HasSubstr("below min_count"));
  // A key with about one report a day: 4 is not a surge even though it is 4x.
  std::vector<int64_t> ones = {1, 0, 2, 1, 1, 0, 1, 1, 2, 0, 1, 1, 1, 0, 1, 2, 1, 1, 0, 1, 1};
  EXPECT_FALSE(Evaluate(4, ones, p).surge);
  // 0 -> 5 on the floor fires: p(X >= 5 | 0.5) = 1.7e-4.
  EXPECT_TRUE(Evaluate(5, zeros, p).surge);
}

TEST(Evaluate, TripleOnModerateBaselineFires) {
  const Policy p = Daily(false);
  // A real-looking series around 8 a day (Poisson-ish spread).
  const std::vector<int64_t> history = {7, 9, 8, 6, 10, 8, 7, 9, 8, 11, 6, 8, 7, 9,
                                        8, 10, 7, 8, 9, 6, 8, 9, 7, 8, 10, 8, 7, 9};
  const Verdict v = Evaluate(24, history, p);
  EXPECT_TRUE(v.surge) << v.reason;
  EXPECT_NEAR(v.expected, 227.0 / 28.0, 1e-12);  // the baseline mean
  EXPECT_LT(v.p_value, 1e-5);
  // Ordinary noise does not.
  for (int64_t n : {8, 11, 13, 14}) EXPECT_FALSE(Evaluate(n, history, p).surge) << n;
}

TEST(Evaluate, TwoWindowSpanCatchesASustainedRise) {
  Policy p = Daily(false);
  std::vector<int64_t> history = {5, 4, 6, 5, 5, 4, 6, 5, 5, 6, 4, 5, 5, 5};  // 70 / 14 = 5 a day
  // 12 alone: ratio 2.4 but P(X >= 12 | 5) = 0.0055, not proof enough.
  const Verdict first = Evaluate(12, history, p);
  EXPECT_FALSE(first.surge) << first.reason;
  EXPECT_EQ(first.span, 1);
  // 12 again the next window: 24 in two windows against 5 + 31/5 = 11.2.
  history.push_back(12);
  const Verdict second = Evaluate(12, history, p);
  EXPECT_TRUE(second.surge) << second.reason;
  EXPECT_EQ(second.span, 2);
  EXPECT_EQ(second.observed, 12);
  EXPECT_EQ(second.span_observed, 24);
  EXPECT_NEAR(second.span_expected, 5.0 + 82.0 / 15.0, 1e-9);
  EXPECT_NEAR(second.p_value, PoissonUpperTail(24, second.span_expected), 1e-15);
  // Single windows only: no surge.
  p.span_windows = 1;
  EXPECT_FALSE(Evaluate(12, history, p).surge);
  // A window back at normal does not fire on the strength of the previous one.
  p.span_windows = 2;
  history.push_back(30);
  EXPECT_FALSE(Evaluate(4, history, p).surge);
}

TEST(Evaluate, WarmsUpBeforeMinHistory) {
  Policy p = Daily(false);
  const std::vector<int64_t> short_history(6, 0);
  const Verdict v = Evaluate(50, short_history, p);
  EXPECT_FALSE(v.ready);
  EXPECT_FALSE(v.surge);
  EXPECT_THAT(v.reason, HasSubstr("warming up"));
}

TEST(Evaluate, OnlyTheBaselineWindowsCount) {
  Policy p = Daily(false);
  p.baseline_windows = 7;
  std::vector<int64_t> history(30, 100);  // old high level, outside the baseline
  for (int i = 0; i < 7; ++i) history.push_back(4);
  EXPECT_NEAR(Evaluate(0, history, p).expected, 4.0, 1e-12);
}

// Mondays always bring twice the usual volume (a weekly rhythm, not a surge).
std::vector<int64_t> MondayHeavy(int weeks) {
  std::vector<int64_t> h;
  for (int w = 0; w < weeks; ++w) {
    for (int d = 0; d < 7; ++d) h.push_back(d == 0 ? 40 : 19 + (w + d) % 3);  // Mon 40, other days 19..21
  }
  return h;
}

TEST(Evaluate, WeeklyRhythmDoesNotFireOnMondays) {
  std::vector<int64_t> history = MondayHeavy(4);  // ends on a Sunday: the next window is a Monday
  const Verdict weekly = Evaluate(44, history, Daily(true));
  EXPECT_FALSE(weekly.surge) << weekly.reason;
  // (4 Mondays of 40 + 0.5 pseudo-Monday at the level 22.9) / 4.5
  EXPECT_NEAR(weekly.expected, (160 + 0.5 * 640.0 / 28) / 4.5, 1e-9);
  // A real surge on a Monday still fires with weekly on: 3x the usual Monday.
  EXPECT_TRUE(Evaluate(120, history, Daily(true)).surge);
  // Without the rhythm the ordinary Monday is a surge once min_ratio allows
  // 1.5x (at 2x the Mondays inside the level keep it just below).
  Policy flat = Daily(false);
  flat.min_ratio = 1.5;
  Policy weekly_15 = Daily(true);
  weekly_15.min_ratio = 1.5;
  EXPECT_TRUE(Evaluate(44, history, flat).surge);
  EXPECT_FALSE(Evaluate(44, history, weekly_15).surge);
  // Tuesday after a Monday: the expectation is back to the usual level.
  history.push_back(44);
  EXPECT_LT(Evaluate(20, history, Daily(true)).expected, 22);
}

TEST(Evaluate, WeeklyNeedsWindowDividingAWeek) {
  Policy p = Daily(true);
  EXPECT_EQ(SeasonLength(p), 7);
  p.window = absl::Hours(6);
  EXPECT_EQ(SeasonLength(p), 28);
  p.window = absl::Hours(5);
  EXPECT_EQ(SeasonLength(p), 0);
  EXPECT_THAT(ValidatePolicy(p).message(), HasSubstr("window"));
}

TEST(EvaluateShare, FollowsTheGlobalVolume) {
  Policy p = Daily(false);
  // The key is ~5% of the volume; today the whole site has 3x the volume
  // (a collection burst, a holiday): the key's 3x is no surge.
  std::vector<int64_t> key(14, 5), total(14, 100);
  auto v = EvaluateShare(15, 315, key, total, p);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_FALSE(v->surge) << v->reason;
  EXPECT_NEAR(v->expected, 5.0 / 95.0 * 300.0, 1e-9);
  // The same 15 on an ordinary day is one.
  v = EvaluateShare(15, 110, key, total, p);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->surge) << v->reason;
  // Leave-one-out: the surge itself does not inflate the expectation.
  EXPECT_NEAR(v->expected, 5.0 / 95.0 * 95.0, 1e-9);
}

TEST(EvaluateShare, RejectsInconsistentInput) {
  const Policy p = Daily(false);
  std::vector<int64_t> key(10, 1), total(9, 10);
  EXPECT_EQ(EvaluateShare(1, 10, key, total, p).status().code(), absl::StatusCode::kInvalidArgument);
  total.push_back(10);
  EXPECT_EQ(EvaluateShare(11, 10, key, total, p).status().code(), absl::StatusCode::kInvalidArgument);
  key[3] = 20;
  EXPECT_THAT(EvaluateShare(1, 10, key, total, p).status().message(), HasSubstr("history[3]"));
}

TEST(ValidatePolicy, NamesTheBadField) {
  EXPECT_TRUE(ValidatePolicy(Policy{}).ok());
  struct Case {
    void (*mutate)(Policy&);
    const char* field;
  };
  for (const Case& c : std::vector<Case>{
           {[](Policy& p) { p.window = absl::ZeroDuration(); }, "window"},
           {[](Policy& p) { p.baseline_windows = 0; }, "baseline_windows"},
           {[](Policy& p) { p.min_history = 40; }, "min_history"},
           {[](Policy& p) { p.min_count = 0; }, "min_count"},
           {[](Policy& p) { p.min_ratio = 0.5; }, "min_ratio"},
           {[](Policy& p) { p.max_p_value = 0; }, "max_p_value"},
           {[](Policy& p) { p.max_p_value = 2; }, "max_p_value"},
           {[](Policy& p) { p.floor_rate = 0; }, "floor_rate"},
           {[](Policy& p) { p.floor_rate = std::nan(""); }, "floor_rate"},
           {[](Policy& p) { p.weekly_shrinkage = -1; }, "weekly_shrinkage"},
           {[](Policy& p) { p.cooldown_windows = 0; }, "cooldown_windows"},
           {[](Policy& p) { p.regrowth_ratio = 1.0; }, "regrowth_ratio"},
       }) {
    Policy p;
    c.mutate(p);
    const absl::Status st = ValidatePolicy(p);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << c.field;
    EXPECT_THAT(st.message(), HasSubstr(c.field));
  }
}

Verdict Surge(int64_t observed) {
  Verdict v;
  v.ready = v.surge = true;
  v.observed = observed;
  return v;
}
Verdict Calm(int64_t observed) {
  Verdict v;
  v.ready = true;
  v.observed = observed;
  return v;
}

TEST(Advance, OneAlertPerEpisodeUnlessItGrows) {
  const Policy p;  // cooldown_windows 2, regrowth_ratio 1.5
  EpisodeState s;
  auto step = [&](const Verdict& v) {
    Decision d = Advance(s, v, p);
    s = d.state;
    return d;
  };
  Decision d = step(Surge(12));
  EXPECT_TRUE(d.publish);
  EXPECT_EQ(d.reason, "new episode");
  d = step(Surge(14));  // consecutive window, not much bigger: no re-warning
  EXPECT_FALSE(d.publish);
  EXPECT_EQ(d.reason, "ongoing");
  d = step(Surge(17));  // 17 < 1.5 x 12
  EXPECT_FALSE(d.publish);
  d = step(Surge(18));  // 18 >= 1.5 x 12: grew again
  EXPECT_TRUE(d.publish);
  EXPECT_EQ(d.reason, "grew again");
  EXPECT_EQ(s.alerted_count, 18);
  d = step(Calm(9));  // one quiet window does not end the episode
  EXPECT_FALSE(d.publish);
  EXPECT_EQ(d.reason, "quiet");
  d = step(Surge(20));  // back up within the cooldown: same episode
  EXPECT_FALSE(d.publish);
  d = step(Calm(5));
  d = step(Calm(4));
  EXPECT_EQ(d.reason, "episode ended");
  EXPECT_FALSE(s.active);
  d = step(Surge(11));  // a new episode warns again
  EXPECT_TRUE(d.publish);
  EXPECT_EQ(d.reason, "new episode");
}

TEST(Advance, WarmingUpIsNoSurge) {
  Verdict warming;
  warming.observed = 100;
  const Decision d = Advance(EpisodeState{}, warming, Policy{});
  EXPECT_FALSE(d.publish);
  EXPECT_FALSE(d.state.active);
}

}  // namespace
}  // namespace fbl::surge
