#pragma once
// ALR-4 quality-risk early warning. When a window closes, the replica holding
// the lease compares each L3 problem, product model and batch count of that
// window with its history as a share of all reports of its kind (libs/surge:
// Poisson tail against a baseline with weekly rhythm that follows the overall
// level and collection gaps; low counts tolerated) and publishes one
// ALERT_KIND_QUALITY_RISK alert per surge episode on alerts.v1. Alert ids are
// deterministic (key + window), so a crash between publishing and saving the
// state re-publishes the same alert, which consumers de-duplicate.

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "alerting/v1/alerting.pb.h"
#include "libs/runtime/config.h"
#include "libs/surge/surge.h"
#include "services/analytics/aggregate_store.h"
#include "services/analytics/query_engine.h"

namespace fbl::analytics {

struct EarlyWarningConfig {
  bool enabled = true;
  absl::Duration interval = absl::Minutes(1);  // how often a replica checks for a closed window
  absl::Duration lease = absl::Minutes(5);
  int max_catch_up = 7;                        // windows evaluated after a pause, newest last
  std::vector<std::string> dimensions = {"l3", "model", "batch"};
  surge::Policy policy;
};
void BindConfig(config::Binder& b, EarlyWarningConfig& c);

struct Warning {
  ::feedbackloop::alerting::v1::AlertEvent event;
  std::string dimension;  // "l3", "model", "batch"
};

class EarlyWarning {
 public:
  using Publish = std::function<absl::Status(const std::vector<Warning>&)>;
  EarlyWarning(const EarlyWarningConfig& config, AggregateStore& store, QueryEngine& queries, Publish publish,
               std::string owner)
      : config_(config), store_(store), queries_(queries), publish_(std::move(publish)), owner_(std::move(owner)) {}

  // Evaluates every window closed by `now` and not evaluated yet (at most
  // max_catch_up). Returns the warnings published; empty when another
  // replica holds the lease or no window closed.
  [[nodiscard]] absl::StatusOr<std::vector<Warning>> RunOnce(absl::Time now);

  // The window holding `t`: windows tile each local day.
  absl::Time WindowStart(absl::Time t) const;

 private:
  absl::StatusOr<std::vector<Warning>> Evaluate(absl::Time window_start, absl::flat_hash_map<std::string, std::string>& episodes);

  const EarlyWarningConfig& config_;
  AggregateStore& store_;
  QueryEngine& queries_;
  Publish publish_;
  std::string owner_;
};

}  // namespace fbl::analytics
