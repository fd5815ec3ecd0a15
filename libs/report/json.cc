// RenderJson / ParseJson.

#include <cmath>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libs/report/report.h"

namespace fbl::report {
namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kSchema = "feedbackloop.report.v1";

Json TimeJson(absl::Time t, absl::TimeZone zone) {
  if (t == absl::InfinitePast() || t == absl::InfiniteFuture()) return nullptr;
  return absl::FormatTime(absl::RFC3339_full, t, zone);
}

Json OptJson(const std::optional<double>& v) {
  if (!v.has_value() || !std::isfinite(*v)) return nullptr;
  return *v;
}

double Finite(double v) { return std::isfinite(v) ? v : 0.0; }

// Parsing helpers: nlohmann's exceptions (missing key, wrong type) are caught
// once in ParseJson; these add the conversions it lacks.
struct ParseError {
  std::string message;
};

absl::Time ParseTime(const Json& obj, const char* key, bool nullable) {
  const Json& v = obj.at(key);
  if (v.is_null()) {
    if (nullable) return absl::InfinitePast();
    throw ParseError{absl::StrCat("\"", key, "\" must not be null")};
  }
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, v.get<std::string>(), &t, &err)) {
    throw ParseError{absl::StrCat("\"", key, "\": ", err)};
  }
  return t;
}

std::optional<double> ParseOpt(const Json& obj, const char* key) {
  if (!obj.contains(key) || obj.at(key).is_null()) return std::nullopt;
  return obj.at(key).get<double>();
}

double ParseDouble(const Json& obj, const char* key) {
  const Json& v = obj.at(key);
  return v.is_null() ? 0.0 : v.get<double>();
}

}  // namespace

std::string RenderJson(const ReportData& d) {
  const absl::TimeZone zone = d.zone;
  Json j;
  j["schema"] = kSchema;
  j["kind"] = d.kind == Kind::kMonthly ? "monthly" : "weekly";
  j["title"] = d.title.empty() ? DefaultTitle(d.kind) : d.title;
  j["zone"] = zone.name();
  j["period_start"] = TimeJson(d.period_start, zone);
  j["period_end"] = TimeJson(d.period_end, zone);
  j["generated_at"] = TimeJson(d.generated_at, zone);
  const Overview& o = d.overview;
  j["overview"] = Json{{"feedback", o.feedback},
                       {"complaints", o.complaints},
                       {"distinct_customers", o.distinct_customers},
                       {"red_alerts", o.red_alerts},
                       {"tickets_created", o.tickets_created},
                       {"tickets_resolved", o.tickets_resolved},
                       {"csat", OptJson(o.csat)},
                       {"nps", OptJson(o.nps)},
                       {"sla_compliance", OptJson(o.sla_compliance)},
                       {"feedback_change_rate", OptJson(o.feedback_change_rate)}};
  j["distribution"] = Json::array();
  for (const Count& c : d.distribution) {
    j["distribution"].push_back(
        Json{{"code", c.code}, {"label", c.label}, {"count", c.count}, {"share", Finite(c.share)}});
  }
  j["top5"] = Json::array();
  for (const Ranked& r : d.top5) {
    j["top5"].push_back(Json{{"rank", r.rank},
                             {"code", r.code},
                             {"label", r.label},
                             {"count", r.count},
                             {"previous_count", r.previous_count},
                             {"change_rate", OptJson(r.change_rate)}});
  }
  j["trends"] = Json::array();
  for (const Series& s : d.trends) {
    Json points = Json::array();
    for (const Point& p : s.points) points.push_back(Json{{"start", TimeJson(p.start, zone)}, {"count", p.count}});
    j["trends"].push_back(Json{{"label", s.label}, {"points", std::move(points)}});
  }
  j["keywords"] = Json::array();
  for (const Term& t : d.keywords) {
    j["keywords"].push_back(Json{{"term", t.term}, {"count", t.count}, {"weight", Finite(t.weight)}});
  }
  j["core_problems"] = Json::array();
  for (const CoreProblem& p : d.core_problems) {
    Json plans = Json::array();
    for (const Plan& plan : p.plans) {
      plans.push_back(Json{{"problem_code", plan.problem_code},
                           {"goal", plan.goal},
                           {"root_cause", plan.root_cause},
                           {"owner", plan.owner},
                           {"status", plan.status},
                           {"acceptance", plan.acceptance},
                           {"blockers", plan.blockers},
                           {"measures", plan.measures},
                           {"start", TimeJson(plan.start, zone)},
                           {"end", TimeJson(plan.end, zone)},
                           {"progress_percent", plan.progress_percent}});
    }
    j["core_problems"].push_back(Json{{"code", p.code},
                                      {"label", p.label},
                                      {"count", p.count},
                                      {"change_rate", OptJson(p.change_rate)},
                                      {"sample_texts", p.sample_texts},
                                      {"plans", std::move(plans)}});
  }
  j["suggestions"] = d.suggestions;
  // Invalid UTF-8 in any text becomes U+FFFD instead of throwing.
  return j.dump(2, ' ', false, Json::error_handler_t::replace);
}

absl::StatusOr<ReportData> ParseJson(std::string_view json) {
  Json j = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return absl::InvalidArgumentError("report JSON: malformed");
  try {
    if (j.at("schema").get<std::string>() != kSchema) {
      return absl::InvalidArgumentError(absl::StrCat("report JSON: unknown schema ", j.at("schema").dump()));
    }
    ReportData d;
    const std::string kind = j.at("kind").get<std::string>();
    if (kind == "weekly") {
      d.kind = Kind::kWeekly;
    } else if (kind == "monthly") {
      d.kind = Kind::kMonthly;
    } else {
      return absl::InvalidArgumentError(absl::StrCat("report JSON: unknown kind \"", kind, "\""));
    }
    d.title = j.at("title").get<std::string>();
    const std::string zone = j.at("zone").get<std::string>();
    if (!absl::LoadTimeZone(zone, &d.zone)) {
      return absl::InvalidArgumentError(absl::StrCat("report JSON: unknown time zone \"", zone, "\""));
    }
    d.period_start = ParseTime(j, "period_start", false);
    d.period_end = ParseTime(j, "period_end", false);
    d.generated_at = ParseTime(j, "generated_at", false);
    const Json& o = j.at("overview");
    d.overview.feedback = o.at("feedback").get<int64_t>();
    d.overview.complaints = o.at("complaints").get<int64_t>();
    d.overview.distinct_customers = o.at("distinct_customers").get<int64_t>();
    d.overview.red_alerts = o.at("red_alerts").get<int64_t>();
    d.overview.tickets_created = o.at("tickets_created").get<int64_t>();
    d.overview.tickets_resolved = o.at("tickets_resolved").get<int64_t>();
    d.overview.csat = ParseOpt(o, "csat");
    d.overview.nps = ParseOpt(o, "nps");
    d.overview.sla_compliance = ParseOpt(o, "sla_compliance");
    d.overview.feedback_change_rate = ParseOpt(o, "feedback_change_rate");
    for (const Json& c : j.at("distribution")) {
      d.distribution.push_back(Count{.code = c.at("code").get<std::string>(),
                                     .label = c.at("label").get<std::string>(),
                                     .count = c.at("count").get<int64_t>(),
                                     .share = ParseDouble(c, "share")});
    }
    for (const Json& r : j.at("top5")) {
      d.top5.push_back(Ranked{.rank = r.at("rank").get<int>(),
                              .code = r.at("code").get<std::string>(),
                              .label = r.at("label").get<std::string>(),
                              .count = r.at("count").get<int64_t>(),
                              .previous_count = r.at("previous_count").get<int64_t>(),
                              .change_rate = ParseOpt(r, "change_rate")});
    }
    for (const Json& s : j.at("trends")) {
      Series series{.label = s.at("label").get<std::string>(), .points = {}};
      for (const Json& p : s.at("points")) {
        series.points.push_back(Point{.start = ParseTime(p, "start", false), .count = p.at("count").get<int64_t>()});
      }
      d.trends.push_back(std::move(series));
    }
    for (const Json& t : j.at("keywords")) {
      d.keywords.push_back(Term{.term = t.at("term").get<std::string>(),
                                .count = t.at("count").get<int64_t>(),
                                .weight = ParseDouble(t, "weight")});
    }
    for (const Json& p : j.at("core_problems")) {
      CoreProblem problem{.code = p.at("code").get<std::string>(),
                          .label = p.at("label").get<std::string>(),
                          .count = p.at("count").get<int64_t>(),
                          .change_rate = ParseOpt(p, "change_rate"),
                          .plans = {},
                          .sample_texts = p.at("sample_texts").get<std::vector<std::string>>()};
      for (const Json& plan : p.at("plans")) {
        problem.plans.push_back(Plan{.problem_code = plan.at("problem_code").get<std::string>(),
                                     .goal = plan.at("goal").get<std::string>(),
                                     .root_cause = plan.at("root_cause").get<std::string>(),
                                     .owner = plan.at("owner").get<std::string>(),
                                     .status = plan.at("status").get<std::string>(),
                                     .acceptance = plan.at("acceptance").get<std::string>(),
                                     .blockers = plan.at("blockers").get<std::string>(),
                                     .measures = plan.at("measures").get<std::vector<std::string>>(),
                                     .start = ParseTime(plan, "start", true),
                                     .end = ParseTime(plan, "end", true),
                                     .progress_percent = plan.at("progress_percent").get<int>()});
      }
      d.core_problems.push_back(std::move(problem));
    }
    d.suggestions = j.at("suggestions").get<std::vector<std::string>>();
    return d;
  } catch (const Json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("report JSON: ", e.what()));
  } catch (const ParseError& e) {
    return absl::InvalidArgumentError(absl::StrCat("report JSON: ", e.message));
  }
}

}  // namespace fbl::report
