#include "services/analytics/report_builder.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/runtime/proto_time.h"
#include "services/analytics/dimensions.h"

namespace fbl::analytics {

namespace wpb = ::feedbackloop::workorder::v1;

namespace {

::feedbackloop::common::v1::Period ToPeriod(const Span& s) {
  ::feedbackloop::common::v1::Period p;
  *p.mutable_start() = runtime::ToProto(s.start);
  *p.mutable_end() = runtime::ToProto(s.end);
  return p;
}

report::Plan ToPlan(const wpb::ImprovementPlan& p) {
  report::Plan out;
  out.problem_code = p.tag_codes().empty() ? p.problem() : p.tag_codes(0);
  out.goal = p.goal_metric().empty() ? p.problem()
                                     : absl::StrCat(p.goal_metric(), ": ", p.baseline(), " → ", p.target());
  out.root_cause = p.root_cause();
  out.owner = p.owner();
  out.status = wpb::PlanState_Name(p.state());
  out.acceptance = p.acceptance_criterion();
  out.blockers = absl::StrJoin(p.blockers(), "；");
  out.measures.assign(p.measures().begin(), p.measures().end());
  if (p.has_start_date()) out.start = runtime::FromProto(p.start_date());
  if (p.has_end_date()) out.end = runtime::FromProto(p.end_date());
  if (!p.progress_notes().empty()) out.progress_percent = p.progress_notes().rbegin()->percent();
  if (p.state() == wpb::PLAN_STATE_DONE) out.progress_percent = 100;
  return out;
}

}  // namespace

Span ReportBuilder::DefaultPeriod(pb::ReportKind kind) const {
  const Buckets& b = queries_.buckets();
  const Granularity g = kind == pb::REPORT_KIND_MONTHLY ? Granularity::kMonth : Granularity::kWeek;
  const absl::Time end = b.Start(clock_(), g);
  return {b.Start(end - absl::Nanoseconds(1), g), end};
}

absl::StatusOr<report::ReportData> ReportBuilder::Build(pb::ReportKind kind, const Span& span) {
  report::ReportData data;
  data.kind = kind == pb::REPORT_KIND_MONTHLY ? report::Kind::kMonthly : report::Kind::kWeekly;
  data.period_start = span.start;
  data.period_end = span.end;
  data.generated_at = clock_();
  data.zone = queries_.buckets().zone();
  data.title = report::DefaultTitle(data.kind);
  const auto period = ToPeriod(span);

  // Overview.
  pb::GetDistributionRequest dist;
  *dist.mutable_period() = period;
  dist.set_dimension(pb::DIMENSION_TAG_L1);
  auto l1 = queries_.Distribution(dist);
  if (!l1.ok()) return l1.status();
  report::Overview& o = data.overview;
  o.feedback = l1->total();
  for (const pb::Bucket& b : l1->buckets()) {
    if (b.value() == "complaint") o.complaints = b.count();
    data.distribution.push_back({b.value(), b.value(), b.count(), b.share()});
  }
  auto customers = queries_.DistinctCustomers(span);
  if (!customers.ok()) return customers.status();
  o.distinct_customers = *customers;
  auto before = queries_.Count({span.start - span.length(), span.start}, {});
  if (!before.ok()) return before.status();
  if (*before > 0) o.feedback_change_rate = static_cast<double>(o.feedback - *before) / *before;
  auto alerts = queries_.Alerts(span);
  if (!alerts.ok()) return alerts.status();
  o.red_alerts = (*alerts)["ALERT_KIND_RED_ALERT"];
  pb::GetServiceKpisRequest kq;
  *kq.mutable_period() = period;
  auto kpis = queries_.ServiceKpis(kq);
  if (!kpis.ok()) return kpis.status();
  o.tickets_created = kpis->tickets();
  o.tickets_resolved = static_cast<int64_t>(kpis->resolution_rate() * kpis->tickets() + 0.5);
  if (kpis->tickets() > 0) o.sla_compliance = kpis->sla_compliance();
  pb::GetSatisfactionRequest sq;
  *sq.mutable_period() = period;
  sq.set_granularity(kind == pb::REPORT_KIND_MONTHLY ? pb::GRANULARITY_MONTH : pb::GRANULARITY_WEEK);
  auto sat = queries_.Satisfaction(sq);
  if (!sat.ok()) return sat.status();
  const OverallSatisfaction overall = Overall(*sat);
  o.csat = overall.csat;
  o.nps = overall.nps;

  // Top 5, trends, keywords.
  pb::GetTopProblemsRequest tq;
  *tq.mutable_period() = period;
  tq.set_n(5);
  auto top = queries_.TopProblems(tq);
  if (!top.ok()) return top.status();
  pb::GetTrendRequest trq;
  *trq.mutable_period() = period;
  trq.set_granularity(pb::GRANULARITY_DAY);
  trq.set_dimension(pb::DIMENSION_TAG_L3);
  for (const pb::RankedProblem& p : top->problems()) {
    report::Ranked r{p.rank(), p.code(), p.name(), p.count(), p.previous_count(), std::nullopt};
    if (p.has_change_rate()) r.change_rate = p.change_rate();
    data.top5.push_back(r);
    trq.add_values(p.code());
  }
  if (!top->problems().empty()) {
    auto trend = queries_.Trend(trq);
    if (!trend.ok()) return trend.status();
    for (int i = 0; i < trend->series_size(); ++i) {
      report::Series s{top->problems(i).name(), {}};
      for (const pb::TrendPoint& p : trend->series(i).points()) s.points.push_back({runtime::FromProto(p.start()), p.count()});
      data.trends.push_back(std::move(s));
    }
  }
  pb::GetKeywordsRequest kwq;
  *kwq.mutable_period() = period;
  kwq.set_n(60);
  auto kw = queries_.Keywords(kwq);
  if (!kw.ok()) return kw.status();
  for (const pb::Keyword& k : kw->keywords()) data.keywords.push_back({k.term(), k.count(), k.weight()});

  // Core problems: the top 5 with their improvement plans.
  std::vector<wpb::ImprovementPlan> plans;
  if (plans_) {
    auto listed = plans_();
    if (listed.ok()) {
      plans = *std::move(listed);
    } else {
      data.suggestions.push_back(absl::StrCat("改进计划暂不可用 / improvement plans unavailable: ",
                                              listed.status().message()));
    }
  }
  for (const report::Ranked& r : data.top5) {
    report::CoreProblem c{r.code, r.label, r.count, r.change_rate, {}, {}};
    for (const wpb::ImprovementPlan& p : plans) {
      const bool tagged = std::find(p.tag_codes().begin(), p.tag_codes().end(), r.code) != p.tag_codes().end();
      if (tagged || p.problem() == r.code) c.plans.push_back(ToPlan(p));
    }
    data.core_problems.push_back(std::move(c));
  }
  for (std::string& s : report::Suggestions(data)) data.suggestions.push_back(std::move(s));
  return data;
}

absl::StatusOr<pb::GenerateReportResponse> ReportBuilder::Generate(const pb::GenerateReportRequest& r) {
  if (r.kind() != pb::REPORT_KIND_WEEKLY && r.kind() != pb::REPORT_KIND_MONTHLY) {
    return absl::InvalidArgumentError("kind: REPORT_KIND_WEEKLY or REPORT_KIND_MONTHLY");
  }
  Span span = DefaultPeriod(r.kind());
  if (r.has_period()) {
    auto s = ToSpan(r.period(), "period");
    if (!s.ok()) return s.status();
    span = *s;
  }
  auto data = Build(r.kind(), span);
  if (!data.ok()) return data.status();
  pb::GenerateReportResponse out;
  out.set_html(report::RenderHtml(*data));
  out.set_json(report::RenderJson(*data));
  *out.mutable_period() = ToPeriod(span);
  *out.mutable_generated_at() = runtime::ToProto(data->generated_at);
  return out;
}

}  // namespace fbl::analytics
