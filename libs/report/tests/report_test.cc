#include "libs/report/report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "libs/dataset/csv_reader.h"

namespace fbl::report {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

constexpr const char* kHostile = "<script>alert(\"x\")</script> & 'q'";  // hand-written

absl::TimeZone Shanghai() {
  absl::TimeZone zone;
  EXPECT_TRUE(absl::LoadTimeZone("Asia/Shanghai", &zone));
  return zone;
}

// Real complaint details from blackcat_complaints.csv (the first `n` rows).
std::vector<std::string> RealComplaints(size_t n) {
  auto table = dataset::ReadCsvFile(FBL_DATA_DIR "/blackcat_complaints.csv");
  EXPECT_TRUE(table.ok()) << table.status();
  std::vector<std::string> out;
  if (!table.ok()) return out;
  const int col = table->Column("投诉详情");
  for (size_t i = 0; i < table->rows.size() && out.size() < n; ++i) out.push_back(table->rows[i].fields[col]);
  return out;
}

// Figures, labels and plans are hand-written; sample texts are real.
ReportData SampleReport() {
  const absl::TimeZone zone = Shanghai();
  ReportData d;
  d.kind = Kind::kWeekly;
  d.zone = zone;
  d.period_start = absl::FromCivil(absl::CivilDay(2021, 1, 25), zone);
  d.period_end = absl::FromCivil(absl::CivilDay(2021, 2, 1), zone);
  d.generated_at = absl::FromCivil(absl::CivilSecond(2021, 2, 1, 9, 30, 15), zone) + absl::Milliseconds(250);
  d.title = "客户反馈周报";
  d.overview = Overview{.feedback = 1200, .complaints = 640, .distinct_customers = 1010, .red_alerts = 2,
                        .tickets_created = 300, .tickets_resolved = 270, .csat = 4.31, .nps = std::nullopt,
                        .sla_compliance = 0.934, .feedback_change_rate = 0.125};
  d.distribution = {{"refund", "不予退款", 500, 0.4167}, {"fake", "虚假宣传", 400, 0.3333}, {"fraud", "涉骗", 300, 0.25}};
  d.top5 = {{1, "refund", "不予退款", 500, 400, 0.25}, {2, "fake", "虚假宣传", 400, 400, 0.0},
            {3, "fraud", "涉骗", 300, 0, std::nullopt}};
  d.trends = {{"全部", {{d.period_start, 150}, {d.period_start + absl::Hours(24), 190}}}};
  d.keywords = {{"退款", 320, 1.0}, {"客服", 210, 0.65}};
  const std::vector<std::string> real = RealComplaints(2);
  d.core_problems = {CoreProblem{
      .code = "refund", .label = "不予退款", .count = 500, .change_rate = 0.25,
      .plans = {Plan{.problem_code = "refund", .goal = "退款处理时长 ≤ 3 天", .root_cause = "退款规则不透明",
                     .owner = "客服部 王经理", .status = "进行中", .acceptance = "投诉量下降 30%",
                     .blockers = "", .measures = {"公示退款规则", "自动退款"},
                     .start = absl::FromCivil(absl::CivilDay(2021, 1, 20), zone),
                     .end = absl::FromCivil(absl::CivilDay(2021, 3, 1), zone), .progress_percent = 40}},
      .sample_texts = real}};
  d.suggestions = {"保持现有措施 / Keep going"};
  return d;
}

TEST(RenderHtmlTest, IsOneSelfContainedDocument) {
  const std::string html = RenderHtml(SampleReport());
  EXPECT_TRUE(absl::StartsWith(html, "<!DOCTYPE html>\n<html lang=\"zh-CN\">"));
  EXPECT_THAT(html, HasSubstr("<meta charset=\"utf-8\">"));
  EXPECT_THAT(html, HasSubstr("@page{size:A4"));
  // No scripts and nothing loaded from elsewhere (the SVG namespace is a name, not a load).
  for (const char* bad : {"<script", "<link", "src=", "href=", "url(", "@import", "https://"}) {
    EXPECT_THAT(html, Not(HasSubstr(bad))) << bad;
  }
  std::string without_ns = html;
  absl::StrReplaceAll({{"xmlns=\"http://www.w3.org/2000/svg\"", ""}}, &without_ns);
  EXPECT_THAT(without_ns, Not(HasSubstr("http://")));
  // Balanced structure.
  for (const char* tag : {"section", "svg", "table", "article", "div", "ol", "ul"}) {
    auto count = [&](const std::string& needle) {
      size_t n = 0;
      for (size_t p = html.find(needle); p != std::string::npos; p = html.find(needle, p + 1)) ++n;
      return n;
    };
    EXPECT_EQ(count(absl::StrCat("<", tag, " ")) + count(absl::StrCat("<", tag, ">")), count(absl::StrCat("</", tag, ">")))
        << tag;
  }
  EXPECT_THAT(html, AllOf(HasSubstr("2021-01-25 至 2021-01-31"), HasSubstr("Asia/Shanghai"),
                          HasSubstr("生成于 2021-02-01 09:30")));
  EXPECT_THAT(html, AllOf(HasSubstr("1,200"), HasSubstr("4.31"), HasSubstr("93.4%"), HasSubstr("↑ 12.5%")));
  EXPECT_THAT(html, AllOf(HasSubstr("退款规则不透明"), HasSubstr("客服部 王经理"), HasSubstr("width:40%"),
                          HasSubstr("公示退款规则"), HasSubstr("2021-03-01"), HasSubstr("保持现有措施")));
}

TEST(RenderHtmlTest, EscapesEveryTextField) {
  ReportData d = SampleReport();
  d.title = kHostile;
  d.distribution[0].label = kHostile;
  d.distribution[1].code = kHostile;
  d.top5[0].label = kHostile;
  d.trends[0].label = kHostile;
  d.keywords[0].term = kHostile;
  d.core_problems[0].label = kHostile;
  d.core_problems[0].sample_texts.push_back(kHostile);
  Plan& plan = d.core_problems[0].plans[0];
  plan.goal = plan.root_cause = plan.owner = plan.status = plan.acceptance = plan.blockers = kHostile;
  plan.measures.push_back(kHostile);
  d.suggestions.push_back(kHostile);
  const std::string html = RenderHtml(d);
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("alert(\"")));
  EXPECT_THAT(html, Not(HasSubstr("'q'")));
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;"));
  // Title, legend, bars (truncated), trend legend, cloud, problem heading, sample,
  // plan fields (7), measure, root-cause list (2), suggestion, footer: every one escaped.
  size_t escaped = 0;
  for (size_t p = html.find("&lt;script"); p != std::string::npos; p = html.find("&lt;script", p + 1)) ++escaped;
  EXPECT_GE(escaped, 18u);
}

TEST(RenderHtmlTest, EmptyReportRendersPlaceholders) {
  ReportData empty;  // everything zero, UTC, no sections
  const std::string html = RenderHtml(empty);
  EXPECT_THAT(html, HasSubstr("客户反馈周报"));
  size_t placeholders = 0;
  for (size_t p = html.find("本期无数据"); p != std::string::npos; p = html.find("本期无数据", p + 1)) ++placeholders;
  EXPECT_EQ(placeholders, 4u);  // pie, top 5, trends, keywords
  EXPECT_THAT(html, AllOf(HasSubstr("本期无核心问题"), HasSubstr("本期无根因结论"), HasSubstr("本期无建议")));
  EXPECT_THAT(html, AllOf(HasSubstr("本期无回访评分"), HasSubstr("解决率 —"), HasSubstr("占反馈 —")));
  for (const char* bad : {"nan", "inf", "NaN"}) EXPECT_THAT(html, Not(HasSubstr(bad))) << bad;
  EXPECT_THAT(RenderHtml(ReportData{.kind = Kind::kMonthly}), HasSubstr("客户反馈月报"));
}

TEST(RenderHtmlTest, InvalidUtf8AndNonFiniteFiguresAreSafe) {
  ReportData d = SampleReport();
  d.core_problems[0].sample_texts = {"bad \xFF\xFE bytes"};
  d.overview.csat = std::nan("");
  d.top5[0].change_rate = std::numeric_limits<double>::infinity();
  const std::string html = RenderHtml(d);
  EXPECT_THAT(html, HasSubstr("bad \xEF\xBF\xBD\xEF\xBF\xBD bytes"));
  EXPECT_THAT(html, Not(HasSubstr("nan")));
  EXPECT_THAT(html, Not(HasSubstr("inf%")));
}

TEST(RenderHtmlTest, RealSampleTextsAppearEscapedAndShortened) {
  const std::vector<std::string> real = RealComplaints(3);
  ASSERT_THAT(real, SizeIs(3));
  ReportData d = SampleReport();
  d.core_problems[0].sample_texts = real;
  const std::string html = RenderHtml(d);
  // The first complaint is short enough to appear whole; the third (a long one
  // about a cake voucher) is cut to 160 code points.
  EXPECT_THAT(html, HasSubstr(absl::StrCat("<blockquote>", real[0], "</blockquote>")));
  EXPECT_THAT(html, HasSubstr("…</blockquote>"));
  EXPECT_THAT(html, Not(HasSubstr(real[2])));
}

TEST(RenderJsonTest, RoundTripsEveryField) {
  ReportData d = SampleReport();
  d.core_problems[0].plans.push_back(Plan{.problem_code = "refund", .goal = "g", .measures = {}});  // unset dates
  d.kind = Kind::kMonthly;
  const std::string json = RenderJson(d);
  EXPECT_THAT(json, HasSubstr("\"period_start\": \"2021-01-25T00:00:00+08:00\""));
  EXPECT_THAT(json, HasSubstr("\"generated_at\": \"2021-02-01T09:30:15.25+08:00\""));
  EXPECT_THAT(json, HasSubstr("\"nps\": null"));
  auto back = ParseJson(json);
  ASSERT_TRUE(back.ok()) << back.status();
  const ReportData& r = *back;
  EXPECT_EQ(r.kind, Kind::kMonthly);
  EXPECT_EQ(r.title, d.title);
  EXPECT_EQ(r.zone.name(), "Asia/Shanghai");
  EXPECT_EQ(r.period_start, d.period_start);
  EXPECT_EQ(r.period_end, d.period_end);
  EXPECT_EQ(r.generated_at, d.generated_at);
  EXPECT_EQ(r.overview.feedback, 1200);
  EXPECT_EQ(r.overview.complaints, 640);
  EXPECT_EQ(r.overview.distinct_customers, 1010);
  EXPECT_EQ(r.overview.red_alerts, 2);
  EXPECT_EQ(r.overview.tickets_created, 300);
  EXPECT_EQ(r.overview.tickets_resolved, 270);
  EXPECT_EQ(r.overview.csat, 4.31);
  EXPECT_EQ(r.overview.nps, std::nullopt);
  EXPECT_EQ(r.overview.sla_compliance, 0.934);
  EXPECT_EQ(r.overview.feedback_change_rate, 0.125);
  ASSERT_THAT(r.distribution, SizeIs(3));
  EXPECT_EQ(r.distribution[1].code, "fake");
  EXPECT_EQ(r.distribution[1].label, "虚假宣传");
  EXPECT_EQ(r.distribution[1].count, 400);
  EXPECT_EQ(r.distribution[1].share, 0.3333);
  ASSERT_THAT(r.top5, SizeIs(3));
  EXPECT_EQ(r.top5[0].rank, 1);
  EXPECT_EQ(r.top5[0].previous_count, 400);
  EXPECT_EQ(r.top5[0].change_rate, 0.25);
  EXPECT_EQ(r.top5[2].change_rate, std::nullopt);
  ASSERT_THAT(r.trends, SizeIs(1));
  ASSERT_THAT(r.trends[0].points, SizeIs(2));
  EXPECT_EQ(r.trends[0].points[1].start, d.trends[0].points[1].start);
  EXPECT_EQ(r.trends[0].points[1].count, 190);
  ASSERT_THAT(r.keywords, SizeIs(2));
  EXPECT_EQ(r.keywords[1].term, "客服");
  EXPECT_EQ(r.keywords[1].count, 210);
  EXPECT_EQ(r.keywords[1].weight, 0.65);
  ASSERT_THAT(r.core_problems, SizeIs(1));
  const CoreProblem& p = r.core_problems[0];
  EXPECT_EQ(p.code, "refund");
  EXPECT_EQ(p.count, 500);
  EXPECT_EQ(p.change_rate, 0.25);
  EXPECT_EQ(p.sample_texts, d.core_problems[0].sample_texts);  // real texts, multi-line and all
  ASSERT_THAT(p.plans, SizeIs(2));
  const Plan& plan = p.plans[0];
  const Plan& want = d.core_problems[0].plans[0];
  EXPECT_EQ(plan.problem_code, want.problem_code);
  EXPECT_EQ(plan.goal, want.goal);
  EXPECT_EQ(plan.root_cause, want.root_cause);
  EXPECT_EQ(plan.owner, want.owner);
  EXPECT_EQ(plan.status, want.status);
  EXPECT_EQ(plan.acceptance, want.acceptance);
  EXPECT_EQ(plan.blockers, want.blockers);
  EXPECT_EQ(plan.measures, want.measures);
  EXPECT_EQ(plan.start, want.start);
  EXPECT_EQ(plan.end, want.end);
  EXPECT_EQ(plan.progress_percent, 40);
  EXPECT_EQ(p.plans[1].start, absl::InfinitePast());
  EXPECT_EQ(p.plans[1].end, absl::InfinitePast());
  EXPECT_THAT(r.suggestions, ElementsAre("保持现有措施 / Keep going"));
  // Rendering the parsed report again gives the same document.
  EXPECT_EQ(RenderJson(r), json);
}

TEST(RenderJsonTest, EmptyReportAndInvalidUtf8) {
  ReportData d;
  d.title = "bad \xFF";
  auto back = ParseJson(RenderJson(d));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->title, "bad \xEF\xBF\xBD");
  EXPECT_EQ(back->zone.name(), "UTC");
  EXPECT_THAT(back->distribution, IsEmpty());
  EXPECT_EQ(back->overview.csat, std::nullopt);
}

TEST(ParseJsonTest, RejectsBadInput) {
  EXPECT_EQ(ParseJson("{").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseJson("[]").status().code(), absl::StatusCode::kInvalidArgument);
  const std::string good = RenderJson(SampleReport());
  auto mutate = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    const size_t p = s.find(from);
    EXPECT_NE(p, std::string::npos) << from;
    return s.replace(p, from.size(), to);
  };
  auto bad_zone = ParseJson(mutate("\"Asia/Shanghai\"", "\"Mars/Olympus\""));
  EXPECT_EQ(bad_zone.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad_zone.status().message()), HasSubstr("Mars/Olympus"));
  EXPECT_FALSE(ParseJson(mutate("\"weekly\"", "\"daily\"")).ok());
  EXPECT_FALSE(ParseJson(mutate("\"2021-01-25T00:00:00+08:00\"", "\"yesterday\"")).ok());
  EXPECT_FALSE(ParseJson(mutate("\"feedback\": 1200", "\"feedback\": \"many\"")).ok());
  EXPECT_FALSE(ParseJson(mutate("\"schema\": \"feedbackloop.report.v1\"", "\"schema\": \"v0\"")).ok());
}

// --- Suggestions (figures hand-written per rule) ---

ReportData Calm() {
  ReportData d;
  d.zone = Shanghai();
  d.generated_at = absl::FromCivil(absl::CivilDay(2021, 2, 1), d.zone);
  d.overview = Overview{.feedback = 100, .complaints = 40, .distinct_customers = 90, .red_alerts = 0,
                        .tickets_created = 10, .tickets_resolved = 9, .csat = 4.5, .nps = 20,
                        .sla_compliance = 0.95, .feedback_change_rate = 0.05};
  return d;
}

TEST(SuggestionsTest, NothingToDo) {
  EXPECT_THAT(Suggestions(Calm()), ElementsAre(HasSubstr("指标正常")));
  EXPECT_THAT(Suggestions(ReportData{}), ElementsAre(HasSubstr("指标正常")));  // no figures at all
}

TEST(SuggestionsTest, RisingProblemWithoutPlan) {
  ReportData d = Calm();
  d.top5 = {{1, "B33", "变速箱顿挫", 36, 24, 0.5},  // +50 %, no plan
            {2, "A9", "发动机异响", 30, 26, 0.154},  // +15 %: below the threshold
            {3, "H79", "车身生锈", 25, 10, 1.5}};     // +150 % but has a plan
  d.core_problems = {CoreProblem{.code = "H79", .label = "车身生锈", .count = 25, .change_rate = 1.5,
                                 .plans = {Plan{.goal = "x", .progress_percent = 10}}},
                     CoreProblem{.code = "E29", .label = "刹车失灵", .count = 9, .change_rate = 0.21}};
  const auto s = Suggestions(d);
  ASSERT_THAT(s, SizeIs(2));
  EXPECT_THAT(s[0], HasSubstr("为「刹车失灵（E29）」制定改进计划：本期 9 次，环比上升 21%"));  // core problems first
  EXPECT_THAT(s[1], AllOf(HasSubstr("为「变速箱顿挫（B33）」制定改进计划"), HasSubstr("up 50%")));
}

TEST(SuggestionsTest, LateAndBlockedPlans) {
  ReportData d = Calm();
  d.core_problems = {CoreProblem{
      .code = "refund", .label = "不予退款", .count = 5,
      .plans = {Plan{.owner = "王经理", .blockers = "财务系统排期", .end = absl::FromCivil(absl::CivilDay(2021, 1, 15), d.zone),
                     .progress_percent = 60},
                Plan{.owner = "李", .blockers = "已解决前的阻碍", .end = absl::FromCivil(absl::CivilDay(2021, 1, 1), d.zone),
                     .progress_percent = 100},  // done: neither late nor blocked
                Plan{.owner = "赵", .end = absl::FromCivil(absl::CivilDay(2021, 3, 1), d.zone), .progress_percent = 0}}}};
  const auto s = Suggestions(d);
  ASSERT_THAT(s, SizeIs(2));
  EXPECT_THAT(s[0], AllOf(HasSubstr("已过截止日期 2021-01-15，进度 60%"), HasSubstr("王经理")));
  EXPECT_THAT(s[1], HasSubstr("协调解决「不予退款（refund）」改进计划的阻碍：财务系统排期"));
}

TEST(SuggestionsTest, KpiThresholds) {
  ReportData d = Calm();
  d.overview.red_alerts = 3;
  d.overview.sla_compliance = 0.85;
  d.overview.csat = 3.6;
  d.overview.nps = -12;
  d.overview.feedback_change_rate = 0.8;
  d.overview.tickets_created = 100;
  d.overview.tickets_resolved = 70;
  const auto s = Suggestions(d);
  ASSERT_THAT(s, SizeIs(6));
  EXPECT_THAT(s[0], HasSubstr("3 条红色预警"));
  EXPECT_THAT(s[1], HasSubstr("SLA 达标率 85%，低于 90%"));
  EXPECT_THAT(s[2], HasSubstr("客户满意度 3.60 低于 4.0"));
  EXPECT_THAT(s[3], HasSubstr("NPS 为 -12"));
  EXPECT_THAT(s[4], HasSubstr("反馈量环比上升 80%"));
  EXPECT_THAT(s[5], HasSubstr("仅解决 70 张（70%）"));
  for (const std::string& line : s) EXPECT_THAT(line, HasSubstr(" / ")) << "Chinese / English";
  // Exactly at the thresholds nothing fires.
  d = Calm();
  d.overview.sla_compliance = 0.90;
  d.overview.csat = 4.0;
  d.overview.nps = 0;
  d.overview.feedback_change_rate = 0.5;
  d.overview.tickets_resolved = 8;
  EXPECT_THAT(Suggestions(d), ElementsAre(HasSubstr("指标正常")));
}

TEST(SuggestionsTest, UnsetFiguresFireNothing) {
  ReportData d = Calm();
  d.overview.csat = std::nullopt;
  d.overview.sla_compliance = std::nullopt;
  d.overview.nps = std::nan("");
  d.overview.tickets_created = 0;
  d.top5 = {{1, "X", "新问题", 10, 0, std::nullopt}};
  EXPECT_THAT(Suggestions(d), ElementsAre(HasSubstr("指标正常")));
}

}  // namespace
}  // namespace fbl::report
