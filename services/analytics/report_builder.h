#pragma once
// AN-8: gathers a weekly or monthly report (libs/report renders it) from the
// queries and the improvement plans of workorder (WO-7).

#include <functional>

#include "absl/status/statusor.h"
#include "analytics/v1/analytics.pb.h"
#include "libs/report/report.h"
#include "services/analytics/query_engine.h"
#include "workorder/v1/workorder.pb.h"

namespace fbl::analytics {

class ReportBuilder {
 public:
  // Lists the improvement plans; may fail (the report then says so and goes on).
  using PlanSource = std::function<absl::StatusOr<std::vector<::feedbackloop::workorder::v1::ImprovementPlan>>()>;
  using Clock = std::function<absl::Time()>;
  ReportBuilder(QueryEngine& queries, PlanSource plans, Clock clock)
      : queries_(queries), plans_(std::move(plans)), clock_(std::move(clock)) {}

  // The default period: the last complete ISO week or calendar month.
  Span DefaultPeriod(pb::ReportKind kind) const;
  absl::StatusOr<report::ReportData> Build(pb::ReportKind kind, const Span& span);
  absl::StatusOr<pb::GenerateReportResponse> Generate(const pb::GenerateReportRequest& r);

 private:
  QueryEngine& queries_;
  PlanSource plans_;
  Clock clock_;
};

}  // namespace fbl::analytics
