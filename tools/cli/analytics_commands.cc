// fbl analytics top | trend | distribution | kpis | keywords | satisfaction |
// correlation | compare | report — the analytics API.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "analytics/v1/analytics.grpc.pb.h"
#include "tools/cli/commands.h"
#include "tools/cli/format.h"

namespace fbl::cli {
namespace {

namespace apb = ::feedbackloop::analytics::v1;
namespace cpb = ::feedbackloop::common::v1;

std::unique_ptr<apb::AnalyticsService::Stub> Stub(Session& s) {
  return apb::AnalyticsService::NewStub(s.Channel(Service::kAnalytics));
}

std::string Dim(int d) { return ShortEnumName(*apb::Dimension_descriptor(), d); }

// Enum values in results ("CHANNEL_EMAIL") in the short form the options take.
std::string Value(int dimension, const std::string& v) {
  switch (dimension) {
    case apb::DIMENSION_CHANNEL: return ShortenEnumString(v, "CHANNEL_");
    case apb::DIMENSION_CUSTOMER_TYPE: return ShortenEnumString(v, "CUSTOMER_TYPE_");
    case apb::DIMENSION_PROBLEM_TYPE: return ShortenEnumString(v, "PROBLEM_TYPE_");
    default: return v.empty() ? "(none)" : v;
  }
}

std::optional<double> Opt(bool has, double v) { return has ? std::optional<double>(v) : std::nullopt; }

// Parses repeated --filter values into the request.
int AddFilters(const std::vector<std::string>& filters, google::protobuf::RepeatedPtrField<apb::Filter>* out) {
  for (const auto& f : filters) {
    auto spec = ParseFilter(f);
    if (!spec.ok()) return UsageError(absl::StrCat("--filter: ", spec.status().message()));
    apb::Filter* filter = out->Add();
    filter->set_dimension(static_cast<apb::Dimension>(spec->dimension));
    filter->set_value(spec->value);
  }
  return kExitOk;
}

void AddFilterOption(CLI::App* sub, std::vector<std::string>* filters) {
  sub->add_option("--filter", *filters,
                  "DIMENSION=VALUE, e.g. channel=email, tag_l3=logistics.late_delivery (repeatable; AND across "
                  "dimensions, OR within one)");
}

// ---- top ----

struct TopOptions {
  PeriodOptions period;
  int n = 5;
  std::string level;
};

int Top(Session& s, const TopOptions& o) {
  auto period = ResolvePeriodProto(o.period, s);
  if (!period.ok()) return UsageError(period.status().message());
  apb::GetTopProblemsRequest req;
  *req.mutable_period() = *period;
  req.set_n(o.n);
  req.set_level(static_cast<apb::Dimension>(EnumValue(apb::Dimension_descriptor(), o.level)));
  apb::GetTopProblemsResponse resp;
  grpc::Status st = Stub(s)->GetTopProblems(s.Context().get(), req, &resp);
  if (!st.ok()) return s.Fail(Service::kAnalytics, "GetTopProblems", st);
  Table t({{"RANK", 0, true}, {"PROBLEM", 40}, {"NAME", 20}, {"COUNT", 0, true}, {"CUSTOMERS", 0, true},
           {"PREVIOUS", 0, true}, {"CHANGE", 0, true}});
  for (const auto& p : resp.problems()) {
    if (s.json()) {
      s.PrintJson(p);
    } else if (s.quiet()) {
      std::cout << p.code() << "\n";
    } else {
      t.AddRow({absl::StrCat(p.rank()), p.code(), p.name(), absl::StrCat(p.count()), absl::StrCat(p.distinct_customers()),
                absl::StrCat(p.previous_count()), FormatChange(Opt(p.has_change_rate(), p.change_rate()))});
    }
  }
  if (!s.json() && !s.quiet()) std::cout << t.Render();
  return kExitOk;
}

// ---- trend ----

struct TrendOptions {
  PeriodOptions period;
  std::string by = "tag_l3", granularity;
  std::vector<std::string> values;
};

int Trend(Session& s, const TrendOptions& o) {
  auto period = ResolvePeriodProto(o.period, s);
  if (!period.ok()) return UsageError(period.status().message());
  apb::GetTrendRequest req;
  *req.mutable_period() = *period;
  req.set_dimension(static_cast<apb::Dimension>(EnumValue(apb::Dimension_descriptor(), o.by)));
  req.set_granularity(static_cast<apb::Granularity>(EnumValue(apb::Granularity_descriptor(), o.granularity)));
  for (const auto& v : o.values) {
    auto full = ResolveDimensionValue(req.dimension(), v);
    if (!full.ok()) return UsageError(absl::StrCat("--value: ", full.status().message()));
    req.add_values(*full);
  }
  apb::GetTrendResponse resp;
  grpc::Status st = Stub(s)->GetTrend(s.Context().get(), req, &resp);
  if (!st.ok()) return s.Fail(Service::kAnalytics, "GetTrend", st);
  if (s.json()) {
    for (const auto& series : resp.series()) s.PrintJson(series);
    return kExitOk;
  }
  // One row per bucket, one column per series (count and change).
  std::vector<Column> columns = {{"START"}};
  for (const auto& series : resp.series()) columns.push_back({Value(req.dimension(), series.value()), 30, true});
  Table t(std::move(columns));
  size_t buckets = 0;
  for (const auto& series : resp.series()) buckets = std::max(buckets, static_cast<size_t>(series.points_size()));
  for (size_t i = 0; i < buckets; ++i) {
    std::vector<std::string> row;
    for (const auto& series : resp.series()) {
      if (i >= static_cast<size_t>(series.points_size())) {
        row.push_back("");
        continue;
      }
      const auto& p = series.points(static_cast<int>(i));
      if (row.empty()) row.push_back(s.Time(p.start()));
      row.push_back(absl::StrCat(p.count(), p.has_change_rate() ? absl::StrCat(" (", FormatChange(p.change_rate()), ")") : ""));
    }
    t.AddRow(std::move(row));
  }
  std::cout << t.Render();
  return kExitOk;
}

// ---- distribution ----

struct DistributionOptions {
  PeriodOptions period;
  std::string by;
  std::vector<std::string> filters;
};

int Distribution(Session& s, const DistributionOptions& o) {
  auto period = ResolvePeriodProto(o.period, s);
  if (!period.ok()) return UsageError(period.status().message());
  apb::GetDistributionRequest req;
  *req.mutable_period() = *period;
  req.set_dimension(static_cast<apb::Dimension>(EnumValue(apb::Dimension_descriptor(), o.by)));
  if (int rc = AddFilters(o.filters, req.mutable_filters()); rc != kExitOk) return rc;
  apb::GetDistributionResponse resp;
  grpc::Status st = Stub(s)->GetDistribution(s.Context().get(), req, &resp);
  if (!st.ok()) return s.Fail(Service::kAnalytics, "GetDistribution", st);
  if (s.json()) {
    s.PrintJson(resp);
    return kExitOk;
  }
  Table t({{absl::AsciiStrToUpper(Dim(req.dimension())), 48}, {"COUNT", 0, true}, {"CUSTOMERS", 0, true},
           {"SHARE", 0, true}});
  for (const auto& b : resp.buckets()) {
    t.AddRow({Value(req.dimension(), b.value()), absl::StrCat(b.count()), absl::StrCat(b.distinct_customers()),
              FormatPercent(b.share())});
  }
  std::cout << t.Render() << "total " << resp.total() << "\n";
  return kExitOk;
}

// ---- kpis ----

struct KpiOptions {
  PeriodOptions period;
  std::string department;
};

int Kpis(Session& s, const KpiOptions& o) {
  auto period = ResolvePeriodProto(o.period, s);
  if (!period.ok()) return UsageError(period.status().message());
  apb::GetServiceKpisRequest req;
  *req.mutable_period() = *period;
  req.set_department(o.department);
  apb::GetServiceKpisResponse r;
  grpc::Status st = Stub(s)->GetServiceKpis(s.Context().get(), req, &r);
  if (!st.ok()) return s.Fail(Service::kAnalytics, "GetServiceKpis", st);
  if (s.json()) {
    s.PrintJson(r);
    return kExitOk;
  }
  std::cout << RenderFields({
      {"tickets", absl::StrCat(r.tickets())},
      {"first response p50", FormatSeconds(r.first_response_p50_seconds())},
      {"first response p90", FormatSeconds(r.first_response_p90_seconds())},
      {"resolution p50", FormatSeconds(r.resolution_p50_seconds())},
      {"resolution p90", FormatSeconds(r.resolution_p90_seconds())},
      {"resolution rate", FormatPercent(r.resolution_rate())},
      {"repeat complaints", FormatPercent(r.repeat_complaint_rate())},
      {"SLA compliance", FormatPercent(r.sla_compliance())},
      {"tickets per agent", absl::StrFormat("%.1f", r.tickets_per_agent())},
  });
  return kExitOk;
}

// ---- keywords ----

struct KeywordOptions {
  PeriodOptions period;
  int n = 50;
  std::vector<std::string> filters;
};

int Keywords(Session& s, const KeywordOptions& o) {
  auto period = ResolvePeriodProto(o.period, s);
  if (!period.ok()) return UsageError(period.status().message());
  apb::GetKeywordsRequest req;
  *req.mutable_period() = *period;
  req.set_n(o.n);
  if (int rc = AddFilters(o.filters, req.mutable_filters()); rc != kExitOk) return rc;
  apb::GetKeywordsResponse resp;
  grpc::Status st = Stub(s)->GetKeywords(s.Context().get(), req, &resp);
  if (!st.ok()) return s.Fail(Service::kAnalytics, "GetKeywords", st);
  Table t({{"TERM", 30}, {"COUNT", 0, true}, {"WEIGHT", 0, true}});
  for (const auto& k : resp.keywords()) {
    if (s.json()) {
      s.PrintJson(k);
    } else {
      t.AddRow({k.term(), absl::StrCat(k.count()), absl::StrFormat("%.2f", k.weight())});
    }
  }
  if (!s.json()) std::cout << t.Render();
  return kExitOk;
}

// ---- satisfaction ----

struct SatisfactionOptions {
  PeriodOptions period;
  std::string granularity, by;
};

int Satisfaction(Session& s, const SatisfactionOptions& o) {
  auto period = ResolvePeriodProto(o.period, s);
  if (!period.ok()) return UsageError(period.status().message());
  apb::GetSatisfactionRequest req;
  *req.mutable_period() = *period;
  req.set_granularity(static_cast<apb::Granularity>(EnumValue(apb::Granularity_descriptor(), o.granularity)));
  req.set_group_by(static_cast<apb::Dimension>(EnumValue(apb::Dimension_descriptor(), o.by)));
  apb::GetSatisfactionResponse resp;
  grpc::Status st = Stub(s)->GetSatisfaction(s.Context().get(), req, &resp);
  if (!st.ok()) return s.Fail(Service::kAnalytics, "GetSatisfaction", st);
  Table t({{"GROUP", 30}, {"START"}, {"CSAT", 0, true}, {"NPS", 0, true}, {"RESPONSES", 0, true}});
  for (const auto& p : resp.points()) {
    if (s.json()) {
      s.PrintJson(p);
    } else {
      t.AddRow({p.group().empty() ? "(all)" : Value(req.group_by(), p.group()), s.Time(p.start()),
                p.responses() > 0 ? absl::StrFormat("%.2f", p.csat()) : "-",
                p.has_nps() ? absl::StrFormat("%.1f", p.nps()) : "-", absl::StrCat(p.responses())});
    }
  }
  if (!s.json()) std::cout << t.Render();
  return kExitOk;
}

// ---- correlation ----

struct CorrelationOptions {
  PeriodOptions period;
  std::string problem, granularity;
  std::vector<std::string> channels;
};

int Correlation(Session& s, const CorrelationOptions& o) {
  auto period = ResolvePeriodProto(o.period, s);
  if (!period.ok()) return UsageError(period.status().message());
  apb::GetCorrelationRequest req;
  *req.mutable_period() = *period;
  req.set_problem_code(o.problem);
  req.set_granularity(static_cast<apb::Granularity>(EnumValue(apb::Granularity_descriptor(), o.granularity)));
  for (const auto& c : o.channels) req.add_channels(static_cast<cpb::Channel>(EnumValue(cpb::Channel_descriptor(), c)));
  apb::GetCorrelationResponse resp;
  grpc::Status st = Stub(s)->GetCorrelation(s.Context().get(), req, &resp);
  if (!st.ok()) return s.Fail(Service::kAnalytics, "GetCorrelation", st);
  if (s.json()) {
    s.PrintJson(resp);
    return kExitOk;
  }
  Table t({{"CHANNEL A"}, {"CHANNEL B"}, {"COEFFICIENT", 0, true}});
  for (const auto& p : resp.pairs()) {
    t.AddRow({ShortEnumName(*cpb::Channel_descriptor(), p.a()), ShortEnumName(*cpb::Channel_descriptor(), p.b()),
              absl::StrFormat("%+.2f", p.coefficient())});
  }
  std::cout << t.Render();
  return kExitOk;
}

// ---- compare ----

struct CompareOptions {
  std::string metric, before, after;
  double target = 0;
  std::vector<std::string> filters;
};

int Compare(Session& s, const CompareOptions& o) {
  apb::CompareMetricRequest req;
  req.set_metric(o.metric);
  const absl::Time now = absl::Now();
  auto before = ParseRange(o.before, now, s.tz());
  if (!before.ok()) return UsageError(absl::StrCat("--before: ", before.status().message()));
  auto after = ParseRange(o.after, now, s.tz());
  if (!after.ok()) return UsageError(absl::StrCat("--after: ", after.status().message()));
  *req.mutable_before() = ToProto(*before);
  *req.mutable_after() = ToProto(*after);
  req.set_target_change(o.target);
  if (int rc = AddFilters(o.filters, req.mutable_filters()); rc != kExitOk) return rc;
  apb::CompareMetricResponse r;
  grpc::Status st = Stub(s)->CompareMetric(s.Context().get(), req, &r);
  if (!st.ok()) return s.Fail(Service::kAnalytics, "CompareMetric", st);
  if (s.json()) {
    s.PrintJson(r);
    return kExitOk;
  }
  auto range = [&](const Period& p) { return absl::StrCat(FormatLocalTime(p.start, s.tz()), " .. ", FormatLocalTime(p.end, s.tz())); };
  std::cout << RenderFields({
      {"metric", o.metric},
      {"before", absl::StrCat(absl::StrFormat("%.4g", r.before()), "  (", range(*before), ")")},
      {"after", absl::StrCat(absl::StrFormat("%.4g", r.after()), "  (", range(*after), ")")},
      {"change", FormatChange(Opt(r.has_change_rate(), r.change_rate()))},
      {"target", FormatChange(o.target)},
      {"target met", r.target_met() ? "yes" : "no"},
  });
  return kExitOk;
}

// ---- report ----

struct ReportOptions {
  PeriodOptions period;
  std::string kind = "weekly", out = "report.html";
};

int Report(Session& s, const ReportOptions& o) {
  apb::GenerateReportRequest req;
  req.set_kind(static_cast<apb::ReportKind>(EnumValue(apb::ReportKind_descriptor(), o.kind)));
  if (!o.period.from.empty() || !o.period.to.empty() || !o.period.last.empty()) {
    auto period = ResolvePeriodProto(o.period, s);
    if (!period.ok()) return UsageError(period.status().message());
    *req.mutable_period() = *period;
  }
  apb::GenerateReportResponse r;
  grpc::Status st = Stub(s)->GenerateReport(s.Context(absl::Seconds(120)).get(), req, &r);
  if (!st.ok()) return s.Fail(Service::kAnalytics, "GenerateReport", st);
  std::filesystem::path html(o.out);
  std::filesystem::path json = html;
  json.replace_extension(".json");
  if (json == html) json += ".json";
  for (const auto& [path, content] : {std::pair{html, &r.html()}, std::pair{json, &r.json()}}) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << *content;
    out.close();
    if (!out) {
      std::cerr << "fbl: cannot write " << path.string() << "\n";
      return kExitUsage;
    }
  }
  if (s.json()) {
    apb::GenerateReportResponse meta = r;  // the files hold the content
    meta.clear_html();
    meta.clear_json();
    s.PrintJson(meta);
  } else if (s.quiet()) {
    std::cout << html.string() << "\n";
  } else {
    std::cout << "wrote " << html.string() << " (" << r.html().size() << " bytes) and " << json.string() << " ("
              << r.json().size() << " bytes); period " << s.Time(r.period().start()) << " .. "
              << s.Time(r.period().end()) << "\n";
  }
  return kExitOk;
}

}  // namespace

void AddAnalyticsCommands(CLI::App& app, Commands& c) {
  auto* group = app.add_subcommand("analytics", "Distributions, top problems, trends, KPIs and reports (analytics)");
  group->require_subcommand(1);
  AddAddressOption(group, c, Service::kAnalytics);
  const auto* dims = apb::Dimension_descriptor();
  const auto* gran = apb::Granularity_descriptor();

  auto to = std::make_shared<TopOptions>();
  auto* top = group->add_subcommand("top", "The N most frequent problems, with the change vs the previous period");
  AddPeriodOptions(top, &to->period);
  top->add_option("-n", to->n, "how many")->capture_default_str();
  AddEnumOption(top, "--level", &to->level, dims, "tag_l3 (default) or tag_l2");
  SetAction(top, c, [to](Session& s) { return Top(s, *to); });

  auto tr = std::make_shared<TrendOptions>();
  auto* trend = group->add_subcommand("trend", "Volume per bucket for the top values of a dimension");
  AddPeriodOptions(trend, &tr->period);
  AddEnumOption(trend, "--by", &tr->by, dims, "one series per value of")->capture_default_str();
  AddEnumOption(trend, "--granularity", &tr->granularity, gran, "bucket size (default day)");
  trend->add_option("--value", tr->values, "the values to draw (repeatable; default: the 5 largest)");
  SetAction(trend, c, [tr](Session& s) { return Trend(s, *tr); });

  auto d = std::make_shared<DistributionOptions>();
  auto* dist = group->add_subcommand("distribution", "Count and share of each value of a dimension");
  AddPeriodOptions(dist, &d->period);
  AddEnumOption(dist, "--by", &d->by, dims, "group by")->required();
  AddFilterOption(dist, &d->filters);
  SetAction(dist, c, [d](Session& s) { return Distribution(s, *d); });

  auto k = std::make_shared<KpiOptions>();
  auto* kpis = group->add_subcommand("kpis", "Service KPIs of the tickets created in the period");
  AddPeriodOptions(kpis, &k->period);
  kpis->add_option("--department", k->department, "only this department");
  SetAction(kpis, c, [k](Session& s) { return Kpis(s, *k); });

  auto kw = std::make_shared<KeywordOptions>();
  auto* keywords = group->add_subcommand("keywords", "Frequent terms (word cloud)");
  AddPeriodOptions(keywords, &kw->period);
  keywords->add_option("-n", kw->n, "how many")->capture_default_str();
  AddFilterOption(keywords, &kw->filters);
  SetAction(keywords, c, [kw](Session& s) { return Keywords(s, *kw); });

  auto sa = std::make_shared<SatisfactionOptions>();
  sa->period.default_last = absl::Hours(24 * 28);
  auto* sat = group->add_subcommand("satisfaction", "CSAT and NPS over time");
  AddPeriodOptions(sat, &sa->period);
  AddEnumOption(sat, "--granularity", &sa->granularity, gran, "bucket size (default week)");
  AddEnumOption(sat, "--by", &sa->by, dims, "channel or department (default: no grouping)");
  SetAction(sat, c, [sa](Session& s) { return Satisfaction(s, *sa); });

  auto co = std::make_shared<CorrelationOptions>();
  auto* corr = group->add_subcommand("correlation", "Does one problem move together across channels?");
  AddPeriodOptions(corr, &co->period);
  corr->add_option("--problem", co->problem, "tag code of any level")->required();
  corr->add_option("--channel", co->channels, "channels to compare (repeatable; default: all with data)")
      ->check(CLI::Validator(
          [](std::string& v) -> std::string {
            auto n = ResolveEnum(*cpb::Channel_descriptor(), v);
            return n.ok() ? std::string() : std::string(n.status().message());
          },
          "CHANNEL", ""));
  AddEnumOption(corr, "--granularity", &co->granularity, gran, "bucket size (default day)");
  SetAction(corr, c, [co](Session& s) { return Correlation(s, *co); });

  auto cm = std::make_shared<CompareOptions>();
  auto* compare = group->add_subcommand("compare", "Before/after comparison of a metric against a target change");
  compare->add_option("--metric", cm->metric,
                      "feedback, complaints, csat, nps, or a KPI such as sla_compliance, resolution_rate")
      ->required();
  compare->add_option("--before", cm->before, "period before the change, START..END (dates include the end day)")
      ->required()
      ->check(RangeCheck());
  compare->add_option("--after", cm->after, "period after the change, START..END or START..")
      ->required()
      ->check(RangeCheck());
  compare->add_option("--target", cm->target, "targeted change rate, e.g. -0.2 for 20% fewer");
  AddFilterOption(compare, &cm->filters);
  SetAction(compare, c, [cm](Session& s) { return Compare(s, *cm); });

  auto r = std::make_shared<ReportOptions>();
  auto* report = group->add_subcommand(
      "report", "Weekly or monthly report: writes the HTML file and the JSON next to it (same name, .json)");
  AddEnumOption(report, "--kind", &r->kind, apb::ReportKind_descriptor(), "weekly or monthly")->capture_default_str();
  report->add_option("--out", r->out, "HTML file to write")->capture_default_str();
  report->add_option("--from", r->period.from, "start (default: the last complete week or month)")->check(TimeCheck());
  report->add_option("--to", r->period.to, "end; a date includes that day")->check(TimeCheck());
  report->add_option("--last", r->period.last, "the period up to now, e.g. 7d")->check(DurationCheck());
  SetAction(report, c, [r](Session& s) { return Report(s, *r); });
}

}  // namespace fbl::cli
