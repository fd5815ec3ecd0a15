#include "services/analytics/query_engine.h"

#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/v1/common.pb.h"
#include "libs/runtime/proto_time.h"
#include "services/analytics/dimensions.h"

namespace fbl::analytics {

namespace ppb = ::feedbackloop::common::v1;
namespace wpb = ::feedbackloop::workorder::v1;

namespace {

constexpr char kComplaint[] = "complaint";

Granularity ToGranularity(pb::Granularity g, Granularity fallback) {
  switch (g) {
    case pb::GRANULARITY_HOUR: return Granularity::kHour;
    case pb::GRANULARITY_DAY: return Granularity::kDay;
    case pb::GRANULARITY_WEEK: return Granularity::kWeek;
    case pb::GRANULARITY_MONTH: return Granularity::kMonth;
    default: return fallback;
  }
}

absl::Status NeedDimension(pb::Dimension d) {
  if (DimensionKey(d).empty()) return absl::InvalidArgumentError("dimension: required");
  return absl::OkStatus();
}

// "<dim>=" fields of the counts, as value → count.
std::vector<std::pair<std::string, int64_t>> ValuesIn(const Counts& counts, pb::Dimension d) {
  const std::string prefix = std::string(DimensionKey(d)) + "=";
  std::vector<std::pair<std::string, int64_t>> out;
  for (const auto& [field, n] : counts) {
    if (n > 0 && absl::StartsWith(field, prefix)) out.emplace_back(field.substr(prefix.size()), n);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  return out;
}

int64_t Get(const Counts& c, const std::string& field) {
  auto it = c.find(field);
  return it == c.end() ? 0 : it->second;
}

std::optional<double> ChangeRate(double before, double after) {
  if (before == 0) return std::nullopt;
  return (after - before) / before;
}

}  // namespace

absl::StatusOr<Span> ToSpan(const ppb::Period& p, std::string_view what_view) {
  const std::string what(what_view);
  if (!p.has_start() || !p.has_end()) return absl::InvalidArgumentError(absl::StrCat(what, ": start and end required"));
  Span s{runtime::FromProto(p.start()), runtime::FromProto(p.end())};
  if (!(s.start < s.end)) return absl::InvalidArgumentError(absl::StrCat(what, ": end must be after start"));
  return s;
}

double Pearson(const std::vector<double>& a, const std::vector<double>& b) {
  const size_t n = std::min(a.size(), b.size());
  if (n < 2) return 0;
  double ma = 0, mb = 0;
  for (size_t i = 0; i < n; ++i) ma += a[i], mb += b[i];
  ma /= n, mb /= n;
  double cov = 0, va = 0, vb = 0;
  for (size_t i = 0; i < n; ++i) {
    cov += (a[i] - ma) * (b[i] - mb);
    va += (a[i] - ma) * (a[i] - ma);
    vb += (b[i] - mb) * (b[i] - mb);
  }
  if (va == 0 || vb == 0) return 0;
  return cov / std::sqrt(va * vb);
}

double Percentile(std::vector<double> values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t rank = static_cast<size_t>(std::ceil(q * values.size()));
  return values[std::clamp<size_t>(rank, 1, values.size()) - 1];
}

double RepeatComplaintRate(const std::vector<pb::FeedbackFact>& facts, const Span& span, absl::Duration window) {
  absl::flat_hash_map<std::string, std::vector<int64_t>> times;  // customer \x1f l3 → times
  absl::flat_hash_set<std::string> complained;
  for (const pb::FeedbackFact& f : facts) {
    if (f.customer().empty() || std::find(f.l1().begin(), f.l1().end(), kComplaint) == f.l1().end()) continue;
    const absl::Time at = absl::FromUnixSeconds(f.at_seconds());
    if (at >= span.end) continue;
    if (at >= span.start) complained.insert(f.customer());
    for (const std::string& l3 : f.l3()) times[f.customer() + "\x1f" + l3].push_back(f.at_seconds());
  }
  if (complained.empty()) return 0;
  absl::flat_hash_set<std::string> repeated;
  const int64_t w = absl::ToInt64Seconds(window);
  const int64_t from = absl::ToUnixSeconds(span.start);
  for (auto& [key, ts] : times) {
    std::sort(ts.begin(), ts.end());
    for (size_t i = 1; i < ts.size(); ++i) {
      if (ts[i] - ts[i - 1] <= w && ts[i] >= from) {
        repeated.insert(key.substr(0, key.find('\x1f')));
        break;
      }
    }
  }
  return static_cast<double>(repeated.size()) / complained.size();
}

absl::StatusOr<Counts> QueryEngine::CountsFor(const Span& s) {
  auto cover = buckets_.CoverPeriod(s.start, s.end);
  if (!cover.ok()) return cover.status();
  auto days = store_.SumDays(cover->days);
  if (!days.ok()) return days.status();
  auto hours = store_.SumHours(cover->hours);
  if (!hours.ok()) return hours.status();
  for (const auto& [k, v] : *hours) (*days)[k] += v;
  return days;
}

absl::StatusOr<std::vector<pb::FeedbackFact>> QueryEngine::FactsFor(const Span& s,
                                                                   const std::vector<pb::Filter>& filters) {
  auto cover = buckets_.CoverPeriod(s.start, s.end);
  if (!cover.ok()) return cover.status();
  auto facts = store_.Facts(cover->touched_days);
  if (!facts.ok()) return facts.status();
  const int64_t from = absl::ToUnixSeconds(s.start), to = absl::ToUnixSeconds(s.end);
  std::erase_if(*facts, [&](const pb::FeedbackFact& f) {
    return f.at_seconds() < from || f.at_seconds() >= to || !Matches(f, filters);
  });
  return facts;
}

absl::StatusOr<int64_t> QueryEngine::Count(const Span& s, const std::vector<pb::Filter>& filters) {
  if (filters.empty()) {
    auto c = CountsFor(s);
    if (!c.ok()) return c.status();
    return Get(*c, "total");
  }
  auto facts = FactsFor(s, filters);
  if (!facts.ok()) return facts.status();
  return static_cast<int64_t>(facts->size());
}

absl::StatusOr<int64_t> QueryEngine::DistinctCustomers(const Span& s) {
  auto cover = buckets_.CoverPeriod(s.start, s.end);
  if (!cover.ok()) return cover.status();
  return store_.Distinct(cover->touched_days, "total");
}

absl::StatusOr<Counts> QueryEngine::Alerts(const Span& s) {
  auto c = CountsFor(s);
  if (!c.ok()) return c.status();
  Counts out;
  for (const auto& [field, n] : *c) {
    if (absl::StartsWith(field, "alert=")) out[field.substr(6)] = n;
  }
  return out;
}

absl::StatusOr<pb::GetDistributionResponse> QueryEngine::Distribution(const pb::GetDistributionRequest& r) {
  auto span = ToSpan(r.period(), "period");
  if (!span.ok()) return span.status();
  if (absl::Status s = NeedDimension(r.dimension()); !s.ok()) return s;
  pb::GetDistributionResponse out;
  std::vector<pb::Filter> filters(r.filters().begin(), r.filters().end());
  for (const pb::Filter& f : filters) {
    if (DimensionKey(f.dimension()).empty()) return absl::InvalidArgumentError("filters: dimension required");
  }
  if (filters.empty()) {
    auto counts = CountsFor(*span);
    if (!counts.ok()) return counts.status();
    const auto values = ValuesIn(*counts, r.dimension());
    out.set_total(Get(*counts, "total"));
    auto cover = buckets_.CoverPeriod(span->start, span->end);
    std::vector<std::string> fields;
    for (const auto& [v, n] : values) fields.push_back(Field(r.dimension(), v));
    auto distinct = store_.DistinctMany(cover->touched_days, fields);
    if (!distinct.ok()) return distinct.status();
    for (size_t i = 0; i < values.size(); ++i) {
      pb::Bucket* b = out.add_buckets();
      b->set_value(values[i].first);
      b->set_count(values[i].second);
      b->set_distinct_customers((*distinct)[i]);
      b->set_share(out.total() > 0 ? static_cast<double>(values[i].second) / out.total() : 0);
    }
    return out;
  }
  auto facts = FactsFor(*span, filters);
  if (!facts.ok()) return facts.status();
  absl::flat_hash_map<std::string, std::pair<int64_t, absl::flat_hash_set<std::string>>> by_value;
  for (const pb::FeedbackFact& f : *facts) {
    for (const std::string& v : ValuesOf(f, r.dimension())) {
      auto& [n, customers] = by_value[v];
      ++n;
      if (!f.customer().empty()) customers.insert(f.customer());
    }
  }
  out.set_total(static_cast<int64_t>(facts->size()));
  for (const auto& [v, entry] : by_value) {
    pb::Bucket* b = out.add_buckets();
    b->set_value(v);
    b->set_count(entry.first);
    b->set_distinct_customers(static_cast<int64_t>(entry.second.size()));
    b->set_share(out.total() > 0 ? static_cast<double>(entry.first) / out.total() : 0);
  }
  std::sort(out.mutable_buckets()->begin(), out.mutable_buckets()->end(), [](const pb::Bucket& a, const pb::Bucket& b) {
    return a.count() != b.count() ? a.count() > b.count() : a.value() < b.value();
  });
  return out;
}

absl::StatusOr<pb::GetTopProblemsResponse> QueryEngine::TopProblems(const pb::GetTopProblemsRequest& r) {
  auto span = ToSpan(r.period(), "period");
  if (!span.ok()) return span.status();
  const pb::Dimension level = r.level() == pb::DIMENSION_UNSPECIFIED ? pb::DIMENSION_TAG_L3 : r.level();
  if (level != pb::DIMENSION_TAG_L2 && level != pb::DIMENSION_TAG_L3) {
    return absl::InvalidArgumentError("level: DIMENSION_TAG_L2 or DIMENSION_TAG_L3");
  }
  const int n = r.n() <= 0 ? 5 : std::min(r.n(), 100);
  auto now = CountsFor(*span);
  if (!now.ok()) return now.status();
  auto before = CountsFor({span->start - span->length(), span->start});
  if (!before.ok()) return before.status();
  auto values = ValuesIn(*now, level);
  if (values.size() > static_cast<size_t>(n)) values.resize(n);
  std::vector<std::string> codes, fields;
  for (const auto& [code, count] : values) {
    codes.push_back(code);
    fields.push_back(Field(level, code));
  }
  auto names = store_.Names(codes);
  if (!names.ok()) return names.status();
  auto cover = buckets_.CoverPeriod(span->start, span->end);
  auto distinct = store_.DistinctMany(cover->touched_days, fields);
  if (!distinct.ok()) return distinct.status();
  pb::GetTopProblemsResponse out;
  for (size_t i = 0; i < values.size(); ++i) {
    pb::RankedProblem* p = out.add_problems();
    p->set_rank(static_cast<int>(i) + 1);
    p->set_code(values[i].first);
    p->set_count(values[i].second);
    p->set_distinct_customers((*distinct)[i]);
    const int64_t previous = Get(*before, fields[i]);
    p->set_previous_count(previous);
    if (auto c = ChangeRate(previous, values[i].second)) p->set_change_rate(*c);
    auto it = names->find(values[i].first);
    p->set_name(it == names->end() ? values[i].first : it->second);
  }
  return out;
}

absl::StatusOr<std::vector<std::pair<absl::Time, Counts>>> QueryEngine::Series(const Span& s, Granularity g) {
  auto starts = buckets_.Enumerate(s.start, s.end, g);
  if (!starts.ok()) return starts.status();
  // One pipelined read per storage granularity for all buckets.
  std::vector<Buckets::Cover> covers;
  std::vector<std::string> days, hours;
  for (const absl::Time b : *starts) {
    auto c = buckets_.CoverPeriod(std::max(b, s.start), std::min(buckets_.Next(b, g), s.end));
    if (!c.ok()) return c.status();
    days.insert(days.end(), c->days.begin(), c->days.end());
    hours.insert(hours.end(), c->hours.begin(), c->hours.end());
    covers.push_back(*std::move(c));
  }
  auto day_counts = store_.EachBucket(days, false);
  if (!day_counts.ok()) return day_counts.status();
  auto hour_counts = store_.EachBucket(hours, true);
  if (!hour_counts.ok()) return hour_counts.status();
  std::vector<std::pair<absl::Time, Counts>> out;
  size_t di = 0, hi = 0;
  for (size_t i = 0; i < starts->size(); ++i) {
    Counts sum;
    for (size_t k = 0; k < covers[i].days.size(); ++k, ++di)
      for (const auto& [f, v] : (*day_counts)[di]) sum[f] += v;
    for (size_t k = 0; k < covers[i].hours.size(); ++k, ++hi)
      for (const auto& [f, v] : (*hour_counts)[hi]) sum[f] += v;
    out.emplace_back((*starts)[i], std::move(sum));
  }
  return out;
}

absl::StatusOr<pb::GetTrendResponse> QueryEngine::Trend(const pb::GetTrendRequest& r) {
  auto span = ToSpan(r.period(), "period");
  if (!span.ok()) return span.status();
  if (absl::Status s = NeedDimension(r.dimension()); !s.ok()) return s;
  const Granularity g = ToGranularity(r.granularity(), Granularity::kDay);
  // One bucket before the period gives the first point its change rate.
  const absl::Time first = buckets_.Start(span->start, g);
  const absl::Time before = buckets_.Start(first - absl::Nanoseconds(1), g);
  auto series = Series({before, span->end}, g);
  if (!series.ok()) return series.status();
  std::vector<std::string> values(r.values().begin(), r.values().end());
  if (values.empty()) {
    Counts total;
    for (size_t i = 1; i < series->size(); ++i)
      for (const auto& [f, v] : (*series)[i].second) total[f] += v;
    for (const auto& [v, n] : ValuesIn(total, r.dimension())) {
      if (values.size() == 5) break;
      values.push_back(v);
    }
  }
  pb::GetTrendResponse out;
  for (const std::string& v : values) {
    pb::Series* s = out.add_series();
    s->set_value(v);
    const std::string field = Field(r.dimension(), v);
    int64_t previous = Get((*series)[0].second, field);
    for (size_t i = 1; i < series->size(); ++i) {
      pb::TrendPoint* p = s->add_points();
      *p->mutable_start() = runtime::ToProto((*series)[i].first);
      const int64_t n = Get((*series)[i].second, field);
      p->set_count(n);
      if (auto c = ChangeRate(previous, n)) p->set_change_rate(*c);
      previous = n;
    }
  }
  return out;
}

absl::StatusOr<pb::GetKeywordsResponse> QueryEngine::Keywords(const pb::GetKeywordsRequest& r) {
  auto span = ToSpan(r.period(), "period");
  if (!span.ok()) return span.status();
  const size_t n = r.n() <= 0 ? 50 : std::min(r.n(), 500);
  Counts terms;
  if (r.filters().empty()) {
    auto cover = buckets_.CoverPeriod(span->start, span->end);
    if (!cover.ok()) return cover.status();
    auto kw = store_.Keywords(cover->touched_days);  // kept per day: partial days count whole
    if (!kw.ok()) return kw.status();
    terms = *std::move(kw);
  } else {
    auto facts = FactsFor(*span, {r.filters().begin(), r.filters().end()});
    if (!facts.ok()) return facts.status();
    for (const pb::FeedbackFact& f : *facts)
      for (const std::string& t : f.terms()) ++terms[t];
  }
  std::vector<std::pair<std::string, int64_t>> sorted(terms.begin(), terms.end());
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  if (sorted.size() > n) sorted.resize(n);
  pb::GetKeywordsResponse out;
  for (const auto& [term, count] : sorted) {
    pb::Keyword* k = out.add_keywords();
    k->set_term(term);
    k->set_count(count);
    k->set_weight(static_cast<double>(count) / sorted.front().second);
  }
  return out;
}

absl::StatusOr<pb::GetSatisfactionResponse> QueryEngine::Satisfaction(const pb::GetSatisfactionRequest& r) {
  auto span = ToSpan(r.period(), "period");
  if (!span.ok()) return span.status();
  if (r.group_by() != pb::DIMENSION_UNSPECIFIED && r.group_by() != pb::DIMENSION_CHANNEL &&
      r.group_by() != pb::DIMENSION_DEPARTMENT) {
    return absl::InvalidArgumentError("group_by: DIMENSION_CHANNEL, DIMENSION_DEPARTMENT or unset");
  }
  const Granularity g = ToGranularity(r.granularity(), Granularity::kWeek);
  auto starts = buckets_.Enumerate(span->start, span->end, g);
  if (!starts.ok()) return starts.status();
  auto cover = buckets_.CoverPeriod(span->start, span->end);
  auto surveys = store_.Surveys(cover->touched_days);
  if (!surveys.ok()) return surveys.status();
  const int64_t from = absl::ToUnixSeconds(span->start), to = absl::ToUnixSeconds(span->end);
  std::erase_if(*surveys, [&](const pb::SurveyFact& s) { return s.at_seconds() < from || s.at_seconds() >= to; });
  absl::flat_hash_map<std::string, std::string> department;  // ticket id → department
  if (r.group_by() == pb::DIMENSION_DEPARTMENT) {
    std::vector<std::string> ids;
    for (const pb::SurveyFact& s : *surveys) ids.push_back(s.ticket_id());
    auto tickets = store_.Tickets(ids);
    if (!tickets.ok()) return tickets.status();
    for (const auto& [id, t] : *tickets) department[id] = t.department();
  }
  struct Acc {
    int64_t responses = 0, csat_n = 0, csat_sum = 0, nps_n = 0, promoters = 0, detractors = 0;
  };
  std::map<std::string, std::vector<Acc>> groups;
  for (const pb::SurveyFact& s : *surveys) {
    std::string group;
    if (r.group_by() == pb::DIMENSION_CHANNEL) group = s.channel();
    if (r.group_by() == pb::DIMENSION_DEPARTMENT) group = department[s.ticket_id()];
    auto& accs = groups[group];
    accs.resize(starts->size());
    const absl::Time at = absl::FromUnixSeconds(s.at_seconds());
    const size_t i = std::upper_bound(starts->begin(), starts->end(), at) - starts->begin() - 1;
    Acc& a = accs[i];
    ++a.responses;
    if (s.csat() > 0) ++a.csat_n, a.csat_sum += s.csat();
    if (s.has_nps()) {
      ++a.nps_n;
      if (s.nps() >= 9) ++a.promoters;
      if (s.nps() <= 6) ++a.detractors;
    }
  }
  pb::GetSatisfactionResponse out;
  for (const auto& [group, accs] : groups) {
    for (size_t i = 0; i < starts->size(); ++i) {
      const Acc& a = accs[i];
      pb::SatisfactionPoint* p = out.add_points();
      p->set_group(group);
      *p->mutable_start() = runtime::ToProto((*starts)[i]);
      p->set_responses(a.responses);
      p->set_csat(a.csat_n > 0 ? static_cast<double>(a.csat_sum) / a.csat_n : 0);
      if (a.nps_n > 0) p->set_nps(100.0 * (a.promoters - a.detractors) / a.nps_n);
    }
  }
  return out;
}

absl::StatusOr<pb::GetServiceKpisResponse> QueryEngine::ServiceKpis(const pb::GetServiceKpisRequest& r) {
  auto span = ToSpan(r.period(), "period");
  if (!span.ok()) return span.status();
  auto cover = buckets_.CoverPeriod(span->start, span->end);
  auto tickets = store_.TicketsCreated(cover->touched_days);
  if (!tickets.ok()) return tickets.status();
  std::vector<double> first_response, resolution;
  int64_t n = 0, resolved = 0, with_deadlines = 0, met = 0, handled = 0;
  absl::flat_hash_set<std::string> agents;
  for (const wpb::Ticket& t : *tickets) {
    const absl::Time created = runtime::FromProto(t.created_at());
    if (created < span->start || created >= span->end) continue;
    if (!r.department().empty() && t.department() != r.department()) continue;
    if (!t.merged_into().empty()) continue;  // counted in the ticket it joined
    ++n;
    if (t.has_first_response_at()) {
      first_response.push_back(
          absl::ToDoubleSeconds(calendar_.Between(created, runtime::FromProto(t.first_response_at()))));
    }
    if (t.has_resolved_at()) {
      ++resolved;
      const absl::Duration d = calendar_.Between(created, runtime::FromProto(t.resolved_at())) -
                               runtime::FromProto(t.paused());
      resolution.push_back(std::max(0.0, absl::ToDoubleSeconds(d)));
    }
    if (t.has_response_due() || t.has_resolution_due()) {
      ++with_deadlines;
      if (!t.response_breached() && !t.resolution_breached()) ++met;
    }
    if (!t.assignee().empty()) {
      ++handled;
      agents.insert(t.assignee());
    }
  }
  pb::GetServiceKpisResponse out;
  out.set_tickets(n);
  out.set_first_response_p50_seconds(Percentile(first_response, 0.5));
  out.set_first_response_p90_seconds(Percentile(first_response, 0.9));
  out.set_resolution_p50_seconds(Percentile(resolution, 0.5));
  out.set_resolution_p90_seconds(Percentile(resolution, 0.9));
  out.set_resolution_rate(n > 0 ? static_cast<double>(resolved) / n : 0);
  out.set_sla_compliance(with_deadlines > 0 ? static_cast<double>(met) / with_deadlines : 0);
  out.set_tickets_per_agent(agents.empty() ? 0 : static_cast<double>(handled) / agents.size());
  const absl::Duration window = absl::Hours(24 * 30);
  std::vector<pb::Filter> filters;
  if (!r.department().empty()) {
    pb::Filter f;
    f.set_dimension(pb::DIMENSION_DEPARTMENT);
    f.set_value(r.department());
    filters.push_back(f);
  }
  auto facts = FactsFor({span->start - window, span->end}, filters);
  if (!facts.ok()) return facts.status();
  out.set_repeat_complaint_rate(RepeatComplaintRate(*facts, *span, window));
  return out;
}

absl::StatusOr<pb::GetCorrelationResponse> QueryEngine::Correlation(const pb::GetCorrelationRequest& r) {
  if (r.problem_code().empty()) return absl::InvalidArgumentError("problem_code: required");
  auto span = ToSpan(r.period(), "period");
  if (!span.ok()) return span.status();
  const Granularity g = ToGranularity(r.granularity(), Granularity::kDay);
  auto series = Series(*span, g);
  if (!series.ok()) return series.status();
  std::vector<std::string> channels;
  for (int c : r.channels()) channels.push_back(ppb::Channel_Name(static_cast<ppb::Channel>(c)));
  if (channels.empty()) {
    std::set<std::string> seen;
    const std::string suffix = "|" + r.problem_code();
    for (const auto& [start, counts] : *series) {
      for (const auto& [field, n] : counts) {
        if (n > 0 && absl::StartsWith(field, "x=") && absl::EndsWith(field, suffix)) {
          seen.insert(field.substr(2, field.size() - 2 - suffix.size()));
        }
      }
    }
    channels.assign(seen.begin(), seen.end());
  }
  if (channels.size() < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("channels: at least 2 needed; ", channels.size(), " with data for ", r.problem_code()));
  }
  pb::GetCorrelationResponse out;
  std::vector<std::vector<double>> values;
  for (const std::string& ch : channels) {
    pb::Series* s = out.add_series();
    s->set_value(ch);
    std::vector<double> v;
    int64_t previous = 0;
    for (const auto& [start, counts] : *series) {
      const int64_t n = Get(counts, "x=" + ch + "|" + r.problem_code());
      pb::TrendPoint* p = s->add_points();
      *p->mutable_start() = runtime::ToProto(start);
      p->set_count(n);
      if (s->points_size() > 1) {
        if (auto c = ChangeRate(previous, n)) p->set_change_rate(*c);
      }
      previous = n;
      v.push_back(static_cast<double>(n));
    }
    values.push_back(std::move(v));
  }
  for (size_t i = 0; i < channels.size(); ++i) {
    for (size_t j = i + 1; j < channels.size(); ++j) {
      pb::ChannelPair* p = out.add_pairs();
      ppb::Channel a{}, b{};
      ppb::Channel_Parse(channels[i], &a);
      ppb::Channel_Parse(channels[j], &b);
      p->set_a(a);
      p->set_b(b);
      p->set_coefficient(Pearson(values[i], values[j]));
    }
  }
  std::sort(out.mutable_pairs()->begin(), out.mutable_pairs()->end(), [](const auto& x, const auto& y) {
    return std::abs(x.coefficient()) > std::abs(y.coefficient());
  });
  return out;
}

absl::StatusOr<pb::CompareMetricResponse> QueryEngine::Compare(const pb::CompareMetricRequest& r) {
  auto before = ToSpan(r.before(), "before");
  if (!before.ok()) return before.status();
  auto after = ToSpan(r.after(), "after");
  if (!after.ok()) return after.status();
  const std::vector<pb::Filter> filters(r.filters().begin(), r.filters().end());
  const auto* kpi_field = pb::GetServiceKpisResponse::descriptor()->FindFieldByName(r.metric());
  const bool kpi = kpi_field != nullptr && kpi_field->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_DOUBLE;
  std::string department;
  for (const pb::Filter& f : filters) {
    if (kpi && f.dimension() != pb::DIMENSION_DEPARTMENT) {
      return absl::InvalidArgumentError("filters: KPI metrics take only a DIMENSION_DEPARTMENT filter");
    }
    if (f.dimension() == pb::DIMENSION_DEPARTMENT) department = f.value();
  }
  auto value = [&](const Span& s) -> absl::StatusOr<double> {
    if (r.metric() == "feedback") return Count(s, filters);
    if (r.metric() == "complaints") {
      auto f = filters;
      pb::Filter c;
      c.set_dimension(pb::DIMENSION_TAG_L1);
      c.set_value(kComplaint);
      f.push_back(c);
      return Count(s, f);
    }
    if (r.metric() == "csat" || r.metric() == "nps") {
      if (!filters.empty()) return absl::InvalidArgumentError("filters: not supported for csat and nps");
      pb::GetSatisfactionRequest q;
      *q.mutable_period()->mutable_start() = runtime::ToProto(s.start);
      *q.mutable_period()->mutable_end() = runtime::ToProto(s.end);
      auto sat = Satisfaction(q);
      if (!sat.ok()) return sat.status();
      const OverallSatisfaction overall = Overall(*sat);
      return (r.metric() == "csat" ? overall.csat : overall.nps).value_or(0);
    }
    if (kpi) {
      pb::GetServiceKpisRequest q;
      *q.mutable_period()->mutable_start() = runtime::ToProto(s.start);
      *q.mutable_period()->mutable_end() = runtime::ToProto(s.end);
      q.set_department(department);
      auto k = ServiceKpis(q);
      if (!k.ok()) return k.status();
      return k->GetReflection()->GetDouble(*k, kpi_field);
    }
    return absl::InvalidArgumentError(absl::StrCat(
        "metric: unknown \"", r.metric(), "\"; use feedback, complaints, csat, nps or a GetServiceKpisResponse field"));
  };
  auto b = value(*before);
  if (!b.ok()) return b.status();
  auto a = value(*after);
  if (!a.ok()) return a.status();
  pb::CompareMetricResponse out;
  out.set_before(*b);
  out.set_after(*a);
  if (auto c = ChangeRate(*b, *a)) {
    out.set_change_rate(*c);
    out.set_target_met(r.target_change() < 0 ? *c <= r.target_change() : *c >= r.target_change());
  }
  return out;
}

OverallSatisfaction Overall(const pb::GetSatisfactionResponse& series) {
  double csat = 0, csat_w = 0, nps = 0, nps_w = 0;
  for (const auto& p : series.points()) {
    if (p.csat() > 0) csat += p.csat() * p.responses(), csat_w += p.responses();
    if (p.has_nps()) nps += p.nps() * p.responses(), nps_w += p.responses();
  }
  OverallSatisfaction out;
  if (csat_w > 0) out.csat = csat / csat_w;
  if (nps_w > 0) out.nps = nps / nps_w;
  return out;
}

}  // namespace fbl::analytics
