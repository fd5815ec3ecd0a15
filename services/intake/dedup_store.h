#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/redis/redis_client.h"

namespace fbl::intake {

// Redis keys of intake's stored data (docs/security.md, "Retention").
std::string RecordKey(const std::string& feedback_id);          // fbl:intake:rec:<id>, TTL replay_window
std::string CustomerIndexKey(const std::string& pseudonym);     // fbl:intake:cust:<pseudonym>, same TTL
std::string NearDuplicateKey(const std::string& pseudonym);     // fbl:intake:sim:<pseudonym>
inline constexpr char kRecordKeyPattern[] = "fbl:intake:rec:*";
inline constexpr char kErasedKey[] = "fbl:intake:erased";       // hash pseudonym -> erased at (RFC 3339)

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
  struct Binding {
    std::string feedback_id;
    ClaimState state;
  };

  DedupStore(redis::Client& redis, DedupConfig config) : redis_(redis), config_(config) {}

  // Each call below serves a whole batch in one Redis round trip, in order.

  struct ClaimRequest {
    std::string source;
    std::string external_id;
    std::string candidate_id;
  };
  // Binds each candidate id unless its pair is bound already; returns the bindings.
  [[nodiscard]] absl::StatusOr<std::vector<Binding>> Claim(const std::vector<ClaimRequest>& requests);

  struct NearDuplicateRequest {
    std::string customer;
    std::vector<uint32_t> minhash;
    std::string feedback_id;
    absl::Time received_at;
  };
  // For each: the earliest feedback of the customer within the window whose
  // text is similar enough (MinHash, libs/text/minhash.h), or "" — and
  // records this one. Idempotent per feedback ID; later requests in the same
  // call see earlier ones.
  [[nodiscard]] absl::StatusOr<std::vector<std::string>> FindNearDuplicates(
      const std::vector<NearDuplicateRequest>& requests);

  struct DoneRequest {
    std::string source;
    std::string external_id;
    std::string feedback_id;
    std::string record;  // serialized, kept for GetRecord
    std::string customer;  // pseudonym ("" anonymous): indexes the record for erasure
    bool erased = false;   // the record was prepared for an erased customer (no personal data)
  };
  // Marks the bindings done (their records are safely in Kafka), stores the
  // records and adds them to their customer's index. A record of a customer
  // erased meanwhile (and not prepared as erased) is not stored.
  [[nodiscard]] absl::Status MarkDone(const std::vector<DoneRequest>& requests);

  // The serialized record of `feedback_id`, NOT_FOUND when unknown or expired.
  [[nodiscard]] absl::StatusOr<std::string> GetRecord(const std::string& feedback_id);

  // For each pseudonym: whether the customer's personal data was erased
  // (EraseCustomer). One round trip; "" is never erased.
  [[nodiscard]] absl::StatusOr<std::vector<bool>> Erased(const std::vector<std::string>& pseudonyms);

 private:
  redis::Client& redis_;
  DedupConfig config_;
};

}  // namespace fbl::intake
