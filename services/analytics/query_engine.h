#pragma once
// The analytics queries (AN-1…AN-7, AN-9) over the aggregates. Unfiltered
// counts come from the hour/day counters; filtered ones from the per-day
// facts of the period. Requests and answers are the API messages; the gRPC
// handlers only convert errors.

#include <functional>
#include <optional>

#include "absl/status/statusor.h"
#include "analytics/v1/analytics.pb.h"
#include "libs/calendar/business_calendar.h"
#include "services/analytics/aggregate_store.h"
#include "services/analytics/buckets.h"
#include "services/analytics/dimensions.h"

namespace fbl::analytics {

// A query period [start, end).
struct Span {
  absl::Time start, end;
  absl::Duration length() const { return end - start; }
};
// INVALID_ARGUMENT naming `what` when unset, empty or inverted.
[[nodiscard]] absl::StatusOr<Span> ToSpan(const ::feedbackloop::common::v1::Period& p, std::string_view what);

class QueryEngine {
 public:
  QueryEngine(AggregateStore& store, Buckets buckets, const calendar::BusinessCalendar& calendar)
      : store_(store), buckets_(buckets), calendar_(calendar) {}

  absl::StatusOr<pb::GetDistributionResponse> Distribution(const pb::GetDistributionRequest& r);
  absl::StatusOr<pb::GetTopProblemsResponse> TopProblems(const pb::GetTopProblemsRequest& r);
  absl::StatusOr<pb::GetTrendResponse> Trend(const pb::GetTrendRequest& r);
  absl::StatusOr<pb::GetKeywordsResponse> Keywords(const pb::GetKeywordsRequest& r);
  absl::StatusOr<pb::GetSatisfactionResponse> Satisfaction(const pb::GetSatisfactionRequest& r);
  absl::StatusOr<pb::GetServiceKpisResponse> ServiceKpis(const pb::GetServiceKpisRequest& r);
  absl::StatusOr<pb::GetCorrelationResponse> Correlation(const pb::GetCorrelationRequest& r);
  absl::StatusOr<pb::CompareMetricResponse> Compare(const pb::CompareMetricRequest& r);

  // Building blocks for reports and early warnings.
  // Feedback count of a period (filters optional).
  absl::StatusOr<int64_t> Count(const Span& s, const std::vector<pb::Filter>& filters);
  // Counter totals per aligned bucket of `g` overlapping the span (clipped to it).
  absl::StatusOr<std::vector<std::pair<absl::Time, Counts>>> Series(const Span& s, Granularity g);
  // Distinct customers of the days the period touches (HyperLogLog union).
  absl::StatusOr<int64_t> DistinctCustomers(const Span& s);
  // Alerts raised in the period, by AlertKind name.
  absl::StatusOr<Counts> Alerts(const Span& s);

  const Buckets& buckets() const { return buckets_; }

 private:
  absl::StatusOr<Counts> CountsFor(const Span& s);
  absl::StatusOr<std::vector<pb::FeedbackFact>> FactsFor(const Span& s, const std::vector<pb::Filter>& filters);

  AggregateStore& store_;
  Buckets buckets_;
  const calendar::BusinessCalendar& calendar_;
};

// Pure helpers, exposed for tests.
// Pearson correlation of two equally long series; 0 when either is constant.
double Pearson(const std::vector<double>& a, const std::vector<double>& b);
// Nearest-rank percentile (q in 0..1) of unsorted values; 0 when empty.
double Percentile(std::vector<double> values, double q);
// Customers with a repeated complaint about one L3 problem within `window`
// (at least one of the two in the span) / customers with a complaint in the
// span; 0 when none. `facts` may start before the span (lookback).
double RepeatComplaintRate(const std::vector<pb::FeedbackFact>& facts, const Span& span, absl::Duration window);
// A satisfaction series' overall CSAT and NPS: the means of the points that
// have one, weighted by their responses; nullopt when no point has one.
struct OverallSatisfaction {
  std::optional<double> csat, nps;
};
OverallSatisfaction Overall(const pb::GetSatisfactionResponse& series);

}  // namespace fbl::analytics
