#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "alerting/v1/alerting.pb.h"
#include "libs/redis/redis_client.h"

namespace fbl::alerting {

namespace pb = ::feedbackloop::alerting::v1;

// Alerts, their per-feedback claims and their timers in Redis.
//
// Timers ("ack:<alert id>", "contact:<alert id>") sit in a sorted set by due
// time. ClaimDue moves due ones atomically to an in-flight set with a lease,
// so each fires on one replica; a replica that dies leaves its lease to
// expire and the timer fires elsewhere. Nothing is lost on restart.
class AlertStore {
 public:
  // The alert's stored form: deterministic serialization (sorted map entries).
  static std::string Bytes(const pb::Alert& alert);

  enum class Raised { kNew, kPending, kDone };

  // All keys start with `prefix` (tests isolate themselves with their own).
  explicit AlertStore(redis::Client& redis, std::string prefix = "fbl:alerting:")
      : redis_(redis), prefix_(std::move(prefix)) {}

  // Stores `alert` and its timers unless this feedback already has one.
  [[nodiscard]] absl::StatusOr<Raised> Raise(const pb::Alert& alert);
  // The RAISED event is acknowledged by Kafka.
  [[nodiscard]] absl::Status MarkRaised(const std::string& feedback_id);

  [[nodiscard]] absl::StatusOr<pb::Alert> Get(const std::string& alert_id);

  // Replaces `before` by `after` only if the stored alert is still `before`
  // (ABORTED otherwise); removes and adds timers in the same step.
  [[nodiscard]] absl::Status Update(const pb::Alert& before, const pb::Alert& after,
                                    const std::vector<std::string>& remove_timers,
                                    const std::vector<std::pair<std::string, absl::Time>>& add_timers);

  // Up to `limit` timers due at `now`, leased for `lease`.
  [[nodiscard]] absl::StatusOr<std::vector<std::string>> ClaimDue(absl::Time now, absl::Duration lease, int limit);
  // A claimed timer was handled.
  [[nodiscard]] absl::Status Complete(const std::string& timer);

  // Alert ids newest first, from `offset`.
  [[nodiscard]] absl::StatusOr<std::vector<std::string>> ListIds(int64_t offset, int64_t count);

 private:
  std::string Key(const std::string& name) const { return prefix_ + name; }

  redis::Client& redis_;
  std::string prefix_;
};

}  // namespace fbl::alerting
