#include "libs/report/charts.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <regex>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace fbl::report {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

double Sum(const std::vector<PieSlice>& slices) {
  double sum = 0;
  for (const PieSlice& s : slices) sum += s.sweep_deg;
  return sum;
}

TEST(PieAnglesTest, SweepsAddUpTo360AndAreContiguous) {
  // Hand-written counts: primes, so no slice is a round angle.
  const std::vector<int64_t> counts = {7, 13, 1, 997, 0, 31, -5, 3};
  const std::vector<PieSlice> slices = PieAngles(counts);
  ASSERT_EQ(slices.size(), 6u);  // 0 and negative counts draw nothing
  EXPECT_DOUBLE_EQ(Sum(slices), 360.0);
  EXPECT_DOUBLE_EQ(slices.front().start_deg, 0.0);
  for (size_t i = 1; i < slices.size(); ++i) {
    EXPECT_DOUBLE_EQ(slices[i].start_deg, slices[i - 1].start_deg + slices[i - 1].sweep_deg);
  }
  EXPECT_EQ(slices[3].index, 3u);
  EXPECT_NEAR(slices[3].sweep_deg, 360.0 * 997 / 1052, 1e-9);
}

TEST(PieAnglesTest, EmptyAndZeroTotals) {
  EXPECT_TRUE(PieAngles({}).empty());
  EXPECT_TRUE(PieAngles({0, 0, -1}).empty());
  const auto one = PieAngles({0, 5});
  ASSERT_EQ(one.size(), 1u);
  EXPECT_DOUBLE_EQ(one[0].sweep_deg, 360.0);
}

TEST(PieAnglesTest, HugeCountsDoNotOverflow) {
  const auto slices = PieAngles({INT64_MAX, INT64_MAX, 1});
  EXPECT_DOUBLE_EQ(Sum(slices), 360.0);
  EXPECT_NEAR(slices[0].sweep_deg, 180.0, 1e-9);
}

// Angle (clockwise from 12 o'clock) of an SVG point on the pie centred at 110,110.
double AngleOf(double x, double y) {
  double deg = std::atan2(x - 110, 110 - y) * 180 / std::numbers::pi;
  return deg < 0 ? deg + 360 : deg;
}

TEST(PieChartTest, SvgArcsCoverTheCircleOnce) {
  std::vector<Count> dist;
  for (int i = 0; i < 6; ++i) dist.push_back(Count{.code = absl::StrCat("C", i), .label = "类", .count = 10 + i * i * 7});
  const std::string html = PieChartHtml(dist);
  const std::regex path_re(
      R"re(d="M110 110 L([-\d.]+) ([-\d.]+) A100 100 0 ([01]) 1 ([-\d.]+) ([-\d.]+) Z")re");
  double total = 0;
  double expected_start = 0;
  int paths = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), path_re); it != std::sregex_iterator(); ++it) {
    const auto& m = *it;
    const double start = AngleOf(std::stod(m[1]), std::stod(m[2]));
    const double end = AngleOf(std::stod(m[4]), std::stod(m[5]));
    double sweep = end - start;
    if (sweep <= 0) sweep += 360;
    EXPECT_EQ(m[3] == "1", sweep > 180) << m[0];  // large-arc flag agrees with the sweep
    EXPECT_NEAR(std::fmod(start, 360.0), std::fmod(expected_start, 360.0), 0.05) << "slices are contiguous";
    expected_start = start + sweep;
    total += sweep;
    ++paths;
  }
  EXPECT_EQ(paths, 6);
  EXPECT_NEAR(total, 360.0, 0.05);
  // Largest first: C5 (10 + 175) is the first legend row.
  EXPECT_LT(html.find(">C5<"), html.find(">C0<"));
}

TEST(PieChartTest, OneSliceIsACircleAndEmptyIsAPlaceholder) {
  const std::string one = PieChartHtml({Count{.code = "A", .label = "发动机", .count = 3}});
  EXPECT_THAT(one, HasSubstr("<circle class=\"slice\""));
  EXPECT_THAT(one, HasSubstr("100.0%"));
  EXPECT_THAT(PieChartHtml({}), HasSubstr("本期无数据"));
  EXPECT_THAT(PieChartHtml({Count{.code = "A", .label = "x", .count = 0}}), HasSubstr("本期无数据"));
}

TEST(PieChartTest, MoreThanEightEntriesAreGroupedAsOthers) {
  std::vector<Count> dist;
  for (int i = 0; i < 12; ++i) dist.push_back(Count{.code = absl::StrCat("K", i), .label = "x", .count = 100 - i});
  const auto entries = PieEntries(dist);
  ASSERT_EQ(entries.size(), 8u);
  EXPECT_EQ(entries.back().label, "其他 Others");
  EXPECT_EQ(entries.back().count, 93 + 92 + 91 + 90 + 89);
  int64_t total = 0;
  for (const Count& c : entries) total += c.count;
  EXPECT_EQ(total, 1200 - 66);
}

TEST(NiceAxisTest, StepsAreOneTwoFive) {
  EXPECT_EQ(NiceAxis(0).top, 1);
  EXPECT_EQ(NiceAxis(3).step, 1);
  EXPECT_EQ(NiceAxis(3).top, 3);
  EXPECT_EQ(NiceAxis(147).step, 50);
  EXPECT_EQ(NiceAxis(147).top, 150);
  EXPECT_EQ(NiceAxis(1000).step, 250);
  EXPECT_EQ(NiceAxis(1000).top, 1000);
  EXPECT_EQ(NiceAxis(9).step, 5);  // no 2.5 steps below 10: labels stay integers
  EXPECT_EQ(NiceAxis(9).top, 10);
  EXPECT_EQ(NiceAxis(std::nan("")).top, 1);
}

TEST(TrendChartTest, DatesAreLabelledInTheReportZone) {
  absl::TimeZone shanghai;
  ASSERT_TRUE(absl::LoadTimeZone("Asia/Shanghai", &shanghai));
  // Day buckets starting at local midnight = 16:00 UTC the day before.
  const absl::Time d0 = absl::FromCivil(absl::CivilDay(2020, 8, 24), shanghai);
  Series s{.label = "全部 <All>", .points = {}};
  for (int i = 6; i >= 0; --i) s.points.push_back(Point{.start = d0 + absl::Hours(24 * i), .count = 10 * i});
  const std::string svg = TrendChartHtml({s, Series{.label = "空", .points = {}}}, shanghai);
  EXPECT_THAT(svg, HasSubstr(">08-24<"));
  EXPECT_THAT(svg, HasSubstr(">08-30<"));
  EXPECT_THAT(svg, Not(HasSubstr(">08-23<")));
  EXPECT_THAT(svg, HasSubstr("<polyline"));
  EXPECT_THAT(svg, HasSubstr("全部 &lt;All&gt;"));
  EXPECT_THAT(svg, HasSubstr(">60<"));  // y axis reaches the maximum
  // Points are drawn in time order although given in reverse: x increases along the line.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(svg, m, std::regex(R"re(points="([-\d.]+),)re")));
  EXPECT_EQ(m[1], "56");  // first point at the left edge
}

TEST(TrendChartTest, MonthlyBucketsUseMonthLabelsAndEmptyIsAPlaceholder) {
  Series s{.label = "m", .points = {}};
  for (int m = 1; m <= 3; ++m) {
    s.points.push_back(Point{.start = absl::FromCivil(absl::CivilMonth(2021, m), absl::UTCTimeZone()), .count = m});
  }
  EXPECT_THAT(TrendChartHtml({s}, absl::UTCTimeZone()), HasSubstr(">2021-02<"));
  EXPECT_THAT(TrendChartHtml({}, absl::UTCTimeZone()), HasSubstr("本期无数据"));
  // A single point: no division by a zero time span.
  const std::string one = TrendChartHtml({Series{.label = "x", .points = {Point{.start = absl::UnixEpoch(), .count = 0}}}},
                                         absl::UTCTimeZone());
  EXPECT_THAT(one, Not(HasSubstr("nan")));
  EXPECT_THAT(one, HasSubstr("<circle"));
}

TEST(KeywordCloudTest, HeaviestTermInTheMiddleAndDeterministic) {
  // Terms and counts hand-written, shaped like AN-4 (卡顿, 闪退).
  const std::vector<Term> terms = {{"闪退", 40, 0.8}, {"卡顿", 50, 1.0}, {"<b>", 5, 0.1},
                                   {"发热", 20, 0.4}, {"耗电", 10, 0.2}};
  const std::string a = KeywordCloudHtml(terms);
  EXPECT_EQ(a, KeywordCloudHtml(terms));
  const size_t p1 = a.find("卡顿"), p2 = a.find("闪退"), p3 = a.find("发热");
  EXPECT_LT(p2, p1);  // 2nd heaviest to the left of the heaviest
  EXPECT_LT(p1, p3);  // 3rd to the right
  EXPECT_THAT(a, HasSubstr("font-size:42px"));  // weight 1.0
  EXPECT_THAT(a, HasSubstr("&lt;b&gt;"));
  EXPECT_THAT(a, Not(HasSubstr("<b>")));
  // All weights 0: sizes follow counts.
  const std::string b = KeywordCloudHtml({{"卡顿", 10, 0}, {"闪退", 5, 0}});
  EXPECT_THAT(b, HasSubstr("font-size:42px"));
  EXPECT_THAT(b, HasSubstr("font-size:27.5px"));
  EXPECT_THAT(KeywordCloudHtml({}), HasSubstr("本期无数据"));
}

TEST(TopBarsTest, RisingProblemsAreRedAndNewOnesSayNew) {
  const std::vector<Ranked> top = {
      {.rank = 2, .code = "B", .label = "变速箱", .count = 30, .previous_count = 20, .change_rate = 0.5},
      {.rank = 1, .code = "A", .label = "异响", .count = 60, .previous_count = 55, .change_rate = 60.0 / 55 - 1},
      {.rank = 3, .code = "C", .label = "生锈", .count = 12, .previous_count = 0, .change_rate = std::nullopt}};
  const std::string svg = TopBarsHtml(top);
  EXPECT_LT(svg.find("异响"), svg.find("变速箱"));  // ordered by rank
  EXPECT_THAT(svg, HasSubstr("width=\"300\""));     // the largest bar is full length
  EXPECT_THAT(svg, HasSubstr("width=\"150\""));     // half of it
  EXPECT_THAT(svg, HasSubstr("fill=\"#e15759\""));  // +50 % is red
  EXPECT_THAT(svg, HasSubstr("↑ 50.0%"));
  EXPECT_THAT(svg, HasSubstr("新增 new"));
  EXPECT_THAT(TopBarsHtml({}), HasSubstr("本期无数据"));
  // All counts 0: no division by zero.
  EXPECT_THAT(TopBarsHtml({{.rank = 1, .code = "X", .label = "y", .count = 0}}), Not(HasSubstr("nan")));
}

TEST(ProgressBarTest, Clamped) {
  EXPECT_THAT(ProgressBarHtml(150), HasSubstr("width:100%"));
  EXPECT_THAT(ProgressBarHtml(-3), HasSubstr("width:0%"));
  EXPECT_THAT(ProgressBarHtml(100), HasSubstr("done"));
}

}  // namespace
}  // namespace fbl::report
