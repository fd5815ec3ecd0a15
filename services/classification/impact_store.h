#pragma once
// CLS-3 impact scope: distinct customers per L3 problem over a sliding window,
// in Redis HyperLogLogs (≈0.8 % error, 12 KiB per key at most).
//
// The window is cut into 24 buckets (at least 1 h each); a customer is added
// to the bucket of the feedback's receive time, and the count is PFCOUNT over
// the window's buckets (a union). Adding is idempotent, so redelivered
// feedback counts once; anonymous feedback is counted, never added.
// Keys: <prefix>hll:<bucket seconds>:<problem code>:<bucket number>, expiring
// one window after their bucket ends.
//
// The counts a feedback first got are kept (<prefix>impact:<feedback id>,
// "code=count,..." set NX, same expiry), and a redelivered feedback gets them
// again instead of the grown ones: its classification does not change with
// redelivery, a rebalance or a replica race.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/redis/redis_client.h"

namespace fbl::classification {

class ImpactStore {
 public:
  ImpactStore(redis::Client& redis, std::string prefix, absl::Duration window);

  struct Observation {
    std::string feedback_id;            // keys the first counts; empty = not kept
    std::vector<std::string> problems;  // L3 codes
    std::string customer;               // pseudonym; empty when anonymous
    absl::Time at;                      // when the feedback was received
  };
  // Records every observation and returns, per observation and problem, the
  // distinct customers in the window ending at its time bucket — counted once
  // per batch, after the whole batch is added — or, for a feedback seen
  // before, what it got then (two pipelined round trips for the whole batch).
  [[nodiscard]] absl::StatusOr<std::vector<std::vector<int64_t>>> Record(const std::vector<Observation>& batch);

 private:
  std::string Key(const std::string& problem, int64_t bucket) const;
  std::string MemoKey(const std::string& feedback_id) const { return prefix_ + "impact:" + feedback_id; }

  redis::Client& redis_;
  std::string prefix_;
  absl::Duration window_;
  absl::Duration bucket_;
  int buckets_;
};

}  // namespace fbl::classification
