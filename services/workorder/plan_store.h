#pragma once
// Improvement plans (WO-7): one per core problem, with its 5-Why chain, goal
// metric (baseline → target), measures, owner, dates, acceptance criterion,
// progress notes and the tags/tickets it covers. Kept in Redis:
//   <p>plan:<id>   hash: pb (ImprovementPlan), v (version)
//   <p>plans       zset: plan ids by creation time
// Updates and deletes carry the version read (ABORTED when stale).

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/redis/redis_client.h"
#include "workorder/v1/workorder.pb.h"

namespace fbl::workorder {

namespace pb = ::feedbackloop::workorder::v1;

// INVALID_ARGUMENT naming the field: problem, owner, goal_metric and
// acceptance_criterion required; at most 5 whys; end_date not before
// start_date; progress percent 0..100.
absl::Status ValidatePlan(const pb::ImprovementPlan& plan);

class PlanStore {
 public:
  PlanStore(redis::Client& redis, std::string prefix) : redis_(redis), prefix_(std::move(prefix)) {}

  // Assigns plan_id, version 1, created/updated times.
  [[nodiscard]] absl::StatusOr<pb::ImprovementPlan> Create(pb::ImprovementPlan plan, absl::Time now);
  [[nodiscard]] absl::StatusOr<pb::ImprovementPlan> Get(const std::string& plan_id);
  // Replaces the plan if its stored version is plan.version(); the result has version + 1.
  [[nodiscard]] absl::StatusOr<pb::ImprovementPlan> Update(pb::ImprovementPlan plan, absl::Time now);
  [[nodiscard]] absl::Status Delete(const std::string& plan_id, int64_t expected_version);
  // Newest first, optionally one state; page_token is opaque.
  struct Page {
    std::vector<pb::ImprovementPlan> plans;
    std::string next_page_token;
  };
  [[nodiscard]] absl::StatusOr<Page> List(pb::PlanState state, const std::string& page_token, int page_size);

 private:
  std::string Key(const std::string& id) const { return prefix_ + "plan:" + id; }

  redis::Client& redis_;
  std::string prefix_;
};

}  // namespace fbl::workorder
