#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/redis/redis_client.h"

namespace fbl::intake {

struct DedupConfig {
  absl::Duration replay_window = absl::Hours(24 * 30);  // same source + external id
  absl::Duration near_duplicate_window = absl::Hours(24);  // same customer, similar text
  double near_duplicate_min_similarity = 0.5;  // MinHash estimate of bigram Jaccard
  int near_duplicate_history = 200;  // most recent texts kept per customer
};

// De-duplication state in Redis (INT-4).
//
// Replays: (source, external_id) is bound to one feedback ID for
// `replay_window`. The binding starts "pending" and becomes "done" once the
// accepted record is acknowledged by Kafka, so a crash in between re-publishes
// the same feedback ID instead of losing the record.
class DedupStore {
 public:
  enum class ClaimState { kNew, kPending, kDone };
  struct Claim {
    std::string feedback_id;
    ClaimState state;
  };

  DedupStore(redis::Client& redis, DedupConfig config) : redis_(redis), config_(config) {}

  // Binds `candidate_id` unless the pair is bound already; returns the binding.
  [[nodiscard]] absl::StatusOr<Claim> ClaimExternalId(const std::string& source,
                                                      const std::string& external_id,
                                                      const std::string& candidate_id);
  // Marks the binding done (its record is safely in Kafka) and keeps the
  // serialized record for GetRecord during the replay window.
  [[nodiscard]] absl::Status MarkDone(const std::string& source, const std::string& external_id,
                                      const std::string& feedback_id, const std::string& record);

  // The serialized record of `feedback_id`, NOT_FOUND when unknown or expired.
  [[nodiscard]] absl::StatusOr<std::string> GetRecord(const std::string& feedback_id);

  // Returns the earliest feedback of `customer` within the window whose text
  // is similar enough (MinHash signatures, libs/text/minhash.h), or "" — and
  // records this one. Idempotent for the same feedback ID.
  [[nodiscard]] absl::StatusOr<std::string> FindNearDuplicate(const std::string& customer,
                                                              const std::vector<uint32_t>& minhash,
                                                              const std::string& feedback_id,
                                                              absl::Time received_at);

 private:
  redis::Client& redis_;
  DedupConfig config_;
};

}  // namespace fbl::intake
