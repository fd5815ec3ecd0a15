// RenderHtml: one self-contained, printable HTML document.

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/report/charts.h"
#include "libs/report/format.h"
#include "libs/report/report.h"

namespace fbl::report {
namespace {

constexpr size_t kMaxSamples = 3;
constexpr size_t kMaxSampleChars = 160;

constexpr const char* kCss = R"css(
:root{--ink:#1f2933;--muted:#6b7785;--line:#dde3ea;--accent:#4e79a7;--up:#c62828;--down:#2e7d32;--warn:#b26a00}
*{box-sizing:border-box;-webkit-print-color-adjust:exact;print-color-adjust:exact}
html{background:#f3f5f8}
body{margin:0;padding:24px 12px;color:var(--ink);font:14px/1.6 "Noto Sans CJK SC","Noto Sans SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif}
main{max-width:960px;margin:0 auto;background:#fff;padding:32px 40px;border-radius:8px;box-shadow:0 1px 4px rgba(0,0,0,.08)}
header{border-bottom:3px solid var(--accent);padding-bottom:12px;margin-bottom:8px}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:19px;margin:28px 0 12px;padding-left:10px;border-left:4px solid var(--accent)}
h3{font-size:16px;margin:18px 0 8px}
h4{font-size:13px;margin:10px 0 4px;color:var(--muted)}
.en{color:var(--muted);font-weight:400;font-size:.8em;margin-left:6px}
.meta{color:var(--muted);margin:0}
.muted{color:var(--muted);fill:var(--muted)}
.up{color:var(--up);fill:var(--up)}
.down{color:var(--down);fill:var(--down)}
.empty{color:var(--muted);background:#f7f9fb;border:1px dashed var(--line);padding:18px;text-align:center;border-radius:6px}
.cards{display:grid;grid-template-columns:repeat(4,1fr);gap:12px}
.card{border:1px solid var(--line);border-radius:8px;padding:12px 14px;background:#fafbfd}
.card .label{font-size:13px;color:var(--muted)}
.card .value{font-size:26px;font-weight:700;line-height:1.3}
.card .sub{font-size:12px;color:var(--muted)}
.card.warn{border-color:#f0c36d;background:#fff8e8}
.card.warn .value{color:var(--warn)}
.card.alert{border-color:#f3a6a6;background:#fff1f1}
.card.alert .value{color:var(--up)}
.pie{display:flex;gap:28px;align-items:center;flex-wrap:wrap}
.pie-svg{flex:none}
.slice-label{font-size:12px;fill:#fff;font-weight:700}
table{border-collapse:collapse}
.legend td{padding:3px 8px;border-bottom:1px solid var(--line)}
.legend .code{color:var(--muted);font-size:12px}
.num{text-align:right;font-variant-numeric:tabular-nums}
.swatch{display:inline-block;width:12px;height:12px;border-radius:2px;vertical-align:middle;margin-right:4px}
svg.bars,svg.trend{width:100%;height:auto;display:block}
.bar-label,.bar-value{font-size:14px;fill:var(--ink)}
.bar-label .rank{fill:var(--muted);font-weight:700}
.axis{font-size:12px;fill:var(--muted)}
.grid{stroke:#e8edf2;stroke-width:1}
.tick,.axis-line{stroke:#9aa5b1;stroke-width:1}
.series-legend{display:flex;flex-wrap:wrap;gap:6px 18px;margin-top:6px;font-size:13px}
.cloud{text-align:center;line-height:1.25;padding:14px 8px;border:1px solid var(--line);border-radius:8px;background:#fcfdfe}
.cloud .term{display:inline-block;margin:3px 8px;white-space:nowrap}
.problem{border:1px solid var(--line);border-radius:8px;padding:4px 16px 14px;margin-bottom:14px}
.problem h3 .code{color:var(--muted);font-weight:400;margin-right:6px}
.problem h3 .count{font-weight:400;font-size:14px;margin-left:10px}
.problem h3 .change{font-weight:400;font-size:14px;margin-left:8px}
blockquote{margin:4px 0;padding:4px 10px;border-left:3px solid var(--line);color:#3e4c59;background:#f9fafb;white-space:pre-line;font-size:13px}
.plans{width:100%;font-size:12.5px;margin-top:8px}
.plans th,.plans td{border:1px solid var(--line);padding:5px 6px;vertical-align:top;text-align:left}
.plans th{background:#eef2f7;font-weight:600;white-space:nowrap}
.plans ul{margin:0;padding-left:16px}
.plans .measures{min-width:11em}
.plans .dates{white-space:nowrap}
.progress{display:inline-block;width:64px;height:8px;background:#e6ebf1;border-radius:4px;overflow:hidden;vertical-align:middle}
.progress-bar{height:100%;background:var(--accent)}
.progress-bar.done{background:var(--down)}
.progress-text{font-size:12px;margin-left:4px}
.status{display:block;color:var(--muted);font-size:12px}
.blocker{color:var(--up)}
.no-plan{color:var(--warn)}
ol.suggestions li{margin-bottom:6px}
footer{margin-top:28px;padding-top:10px;border-top:1px solid var(--line);font-size:12px;color:var(--muted)}
@page{size:A4;margin:12mm}
@media print{
 html,body{background:#fff;padding:0}
 main{box-shadow:none;border-radius:0;max-width:none;padding:0}
 section:not(#core-problems),.problem,.card,tr{break-inside:avoid}
 h2{break-after:avoid}
}
@media (max-width:640px){.cards{grid-template-columns:repeat(2,1fr)}main{padding:20px 14px}}
)css";

std::string H2(int n, const char* zh, const char* en) {
  static constexpr const char* kNumerals[] = {"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"};
  return absl::StrCat("<h2>", kNumerals[(n - 1) % 10], "、", zh, "<span class=\"en\">", en, "</span></h2>");
}

std::string Card(const char* zh, const char* en, const std::string& value, const std::string& sub,
                 const char* css_class = "") {
  return absl::StrCat("<div class=\"card ", css_class, "\"><div class=\"label\">", zh, " <span class=\"en\">", en,
                      "</span></div><div class=\"value\">", value, "</div><div class=\"sub\">", sub, "</div></div>");
}

const char* ChangeClass(const std::optional<double>& rate) {
  if (!rate.has_value() || !std::isfinite(*rate) || std::abs(*rate) < 0.0005) return "muted";
  return *rate > 0 ? "up" : "down";
}

std::string OverviewHtml(const Overview& o) {
  std::string cards = "<div class=\"cards\">";
  absl::StrAppend(&cards, Card("反馈总量", "Feedback", FormatCount(o.feedback),
                               absl::StrCat("环比 <span class=\"", ChangeClass(o.feedback_change_rate), "\">",
                                            FormatChange(o.feedback_change_rate), "</span>")));
  absl::StrAppend(&cards, Card("投诉", "Complaints", FormatCount(o.complaints),
                               o.feedback > 0 ? absl::StrCat("占反馈 ", FormatPercent(static_cast<double>(o.complaints) /
                                                                                    static_cast<double>(o.feedback)))
                                              : "占反馈 —"));
  absl::StrAppend(&cards, Card("涉及客户", "Customers", FormatCount(o.distinct_customers), "去重后的客户数"));
  absl::StrAppend(&cards, Card("红色预警", "Red alerts", FormatCount(o.red_alerts),
                               o.red_alerts > 0 ? "需复盘处置时效" : "本期无红色预警",
                               o.red_alerts > 0 ? "alert" : ""));
  absl::StrAppend(
      &cards,
      Card("工单", "Tickets", FormatCount(o.tickets_created),
           absl::StrCat("已解决 ", FormatCount(o.tickets_resolved), "（解决率 ",
                        o.tickets_created > 0 ? FormatPercent(static_cast<double>(o.tickets_resolved) /
                                                              static_cast<double>(o.tickets_created))
                                              : "—",
                        "）")));
  const bool csat_ok = o.csat.has_value() && std::isfinite(*o.csat);
  absl::StrAppend(&cards, Card("满意度", "CSAT", csat_ok ? absl::StrFormat("%.2f", *o.csat) : "—",
                               csat_ok ? "满分 5 分，目标 ≥ 4.0" : "本期无回访评分",
                               csat_ok && *o.csat < 4.0 ? "warn" : ""));
  const bool nps_ok = o.nps.has_value() && std::isfinite(*o.nps);
  absl::StrAppend(&cards, Card("净推荐值", "NPS", nps_ok ? absl::StrFormat("%+.0f", *o.nps) : "—",
                               nps_ok ? "−100 … +100" : "本期无 NPS 调查", nps_ok && *o.nps < 0 ? "warn" : ""));
  const bool sla_ok = o.sla_compliance.has_value() && std::isfinite(*o.sla_compliance);
  absl::StrAppend(&cards, Card("SLA 达标率", "SLA", sla_ok ? FormatPercent(*o.sla_compliance) : "—",
                               sla_ok ? "目标 ≥ 90%" : "本期无到期工单",
                               sla_ok && *o.sla_compliance < 0.9 ? "warn" : ""));
  absl::StrAppend(&cards, "</div>");
  return cards;
}

std::string PlanRow(const Plan& plan, absl::TimeZone zone) {
  std::string measures;
  if (plan.measures.empty()) {
    measures = "—";
  } else {
    measures = "<ul>";
    for (const std::string& m : plan.measures) absl::StrAppend(&measures, "<li>", EscapeHtml(m), "</li>");
    absl::StrAppend(&measures, "</ul>");
  }
  auto or_dash = [](const std::string& s) { return s.empty() ? std::string("—") : EscapeHtml(s); };
  return absl::StrCat(
      "<tr><td>", or_dash(plan.root_cause), "</td><td>", or_dash(plan.goal), "</td><td class=\"measures\">", measures, "</td><td>",
      or_dash(plan.owner), "</td><td class=\"dates\">", FormatDate(plan.start, zone), "<br>至 ",
      FormatDate(plan.end, zone), "</td><td>", or_dash(plan.acceptance), "</td><td>",
      ProgressBarHtml(plan.progress_percent),
      plan.status.empty() ? "" : absl::StrCat("<span class=\"status\">", EscapeHtml(plan.status), "</span>"),
      "</td><td", plan.blockers.empty() ? ">无" : absl::StrCat(" class=\"blocker\">", EscapeHtml(plan.blockers)),
      "</td></tr>");
}

std::string CoreProblemsHtml(const std::vector<CoreProblem>& problems, absl::TimeZone zone) {
  if (problems.empty()) {
    return "<p class=\"empty\">本期无核心问题 <span class=\"en\">No core problems this period</span></p>";
  }
  std::string out;
  for (const CoreProblem& p : problems) {
    absl::StrAppend(&out, "<article class=\"problem\"><h3>",
                    p.code.empty() ? "" : absl::StrCat("<span class=\"code\">", EscapeHtml(p.code), "</span>"),
                    EscapeHtml(p.label), "<span class=\"count\">", FormatCount(p.count),
                    " 次</span><span class=\"change ", ChangeClass(p.change_rate), "\">环比 ",
                    FormatChange(p.change_rate), "</span></h3>");
    if (!p.sample_texts.empty()) {
      absl::StrAppend(&out, "<h4>客户原话 <span class=\"en\">Customer voices</span></h4>");
      for (size_t i = 0; i < p.sample_texts.size() && i < kMaxSamples; ++i) {
        absl::StrAppend(&out, "<blockquote>", EscapeHtml(TruncateUtf8(p.sample_texts[i], kMaxSampleChars)),
                        "</blockquote>");
      }
    }
    if (p.plans.empty()) {
      absl::StrAppend(&out,
                      "<p class=\"no-plan\">尚无改进计划 <span class=\"en\">No improvement plan yet</span></p>");
    } else {
      absl::StrAppend(&out, "<h4>改进计划 <span class=\"en\">Improvement plans</span></h4>",
                      "<table class=\"plans\"><thead><tr><th>根因</th><th>目标</th><th>措施</th><th>负责人</th>"
                      "<th>起止</th><th>验收标准</th><th>进度</th><th>阻碍</th></tr></thead><tbody>");
      for (const Plan& plan : p.plans) absl::StrAppend(&out, PlanRow(plan, zone));
      absl::StrAppend(&out, "</tbody></table>");
    }
    absl::StrAppend(&out, "</article>");
  }
  return out;
}

std::string RootCausesHtml(const std::vector<CoreProblem>& problems) {
  std::string items;
  for (const CoreProblem& p : problems) {
    for (const Plan& plan : p.plans) {
      if (plan.root_cause.empty()) continue;
      absl::StrAppend(&items, "<li><strong>", EscapeHtml(p.label.empty() ? p.code : p.label), "</strong>：",
                      EscapeHtml(plan.root_cause),
                      plan.owner.empty() ? "" : absl::StrCat(" <span class=\"muted\">（", EscapeHtml(plan.owner), "）</span>"),
                      "</li>");
    }
  }
  if (items.empty()) {
    return "<p class=\"empty\">本期无根因结论 <span class=\"en\">No root-cause conclusions yet</span></p>";
  }
  return absl::StrCat("<ul class=\"root-causes\">", items, "</ul>");
}

std::string SuggestionsHtml(const std::vector<std::string>& suggestions) {
  if (suggestions.empty()) return "<p class=\"empty\">本期无建议 <span class=\"en\">No suggestions</span></p>";
  std::string out = "<ol class=\"suggestions\">";
  for (const std::string& s : suggestions) absl::StrAppend(&out, "<li>", EscapeHtml(s), "</li>");
  absl::StrAppend(&out, "</ol>");
  return out;
}

}  // namespace

std::string RenderHtml(const ReportData& d) {
  const std::string title = EscapeHtml(d.title.empty() ? DefaultTitle(d.kind) : d.title);
  const absl::Time last_day = d.period_end > d.period_start ? d.period_end - absl::Nanoseconds(1) : d.period_end;
  const std::string period = absl::StrCat(FormatDate(d.period_start, d.zone), " 至 ", FormatDate(last_day, d.zone));
  std::string html;
  html.reserve(64 * 1024);
  absl::StrAppend(&html, "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n",
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
                  "<meta name=\"generator\" content=\"feedbackloop report\">\n<title>", title, " ",
                  EscapeHtml(period), "</title>\n<style>", kCss, "</style>\n</head>\n<body>\n<main class=\"report\">\n");
  absl::StrAppend(&html, "<header><h1>", title, "</h1><p class=\"meta\">",
                  d.kind == Kind::kMonthly ? "月报 Monthly" : "周报 Weekly", " · ", EscapeHtml(period), "（",
                  EscapeHtml(d.zone.name()), "）· 生成于 ", FormatDate(d.generated_at, d.zone, "%Y-%m-%d %H:%M"),
                  "</p></header>\n");
  absl::StrAppend(&html, "<section id=\"overview\">", H2(1, "概览", "Overview"), OverviewHtml(d.overview),
                  "</section>\n");
  absl::StrAppend(&html, "<section id=\"distribution\">", H2(2, "问题分布", "Distribution"),
                  PieChartHtml(d.distribution), "</section>\n");
  absl::StrAppend(&html, "<section id=\"top5\">", H2(3, "Top 5 问题", "Most frequent problems"),
                  TopBarsHtml(d.top5), "</section>\n");
  absl::StrAppend(&html, "<section id=\"trends\">", H2(4, "趋势", "Trends"), TrendChartHtml(d.trends, d.zone),
                  "</section>\n");
  absl::StrAppend(&html, "<section id=\"keywords\">", H2(5, "高频词", "Keywords"), KeywordCloudHtml(d.keywords),
                  "</section>\n");
  absl::StrAppend(&html, "<section id=\"core-problems\">",
                  H2(6, "核心问题与改进计划", "Core problems and improvement plans"),
                  CoreProblemsHtml(d.core_problems, d.zone), "</section>\n");
  absl::StrAppend(&html, "<section id=\"root-causes\">", H2(7, "根因结论", "Root-cause conclusions"),
                  RootCausesHtml(d.core_problems), "</section>\n");
  absl::StrAppend(&html, "<section id=\"suggestions\">", H2(8, "建议", "Suggestions"),
                  SuggestionsHtml(d.suggestions), "</section>\n");
  absl::StrAppend(&html, "<footer>Feedback Loop · ", title, " · ", EscapeHtml(period),
                  "</footer>\n</main>\n</body>\n</html>\n");
  return html;
}

}  // namespace fbl::report
