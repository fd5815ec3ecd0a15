#pragma once
// Delivery claims and records in Redis: the heart of "one page per alert per
// person".
//
// A delivery is one page of one alert event to one person, id
// "<event_id>/<person>". Before anything is sent, the delivery is claimed:
// the first claim creates the record (state pending) with a lease for its
// owner (one worker of one process). Every attempt renews the lease and is
// counted before it is made; success marks the record sent, giving up marks
// it failed. A later claim of a sent/failed/grouped delivery is answered
// kDone (nothing is sent again); a pending one held by a live lease is kBusy;
// a pending one whose lease ran out (its process died) is taken over
// (kResumed) and continues where the record says.
//
// The one gap: a process that dies after the channel accepted a page and
// before Finish recorded it leaves the delivery pending, and the taker-over
// sends it once more. Receivers get the same X-FBL-Delivery-Id both times.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/redis/redis_client.h"

namespace fbl::notifier {

enum class DeliveryState { kPending, kSent, kFailed, kGrouped, kCancelled };
// "pending", "sent", "failed", "grouped", "cancelled"
std::string_view DeliveryStateName(DeliveryState state);

struct DeliveryRecord {
  std::string delivery_id;
  std::string alert_id;
  std::string event_id;
  std::string recipient;
  DeliveryState state = DeliveryState::kPending;
  std::string channel;  // type name of the channel of the last attempt; empty before any
  int attempts = 0;     // all channels
  std::string last_error;
  absl::Time sent_at = absl::InfinitePast();  // InfinitePast unless sent
  absl::Time created_at = absl::InfinitePast();
  size_t channel_index = 0;  // position in the person's channels
  int channel_attempts = 0;  // attempts on that channel
};

struct DeliveryKey {
  std::string delivery_id;
  std::string alert_id;
  std::string event_id;
  std::string recipient;
};

std::string DeliveryIdFor(std::string_view event_id, std::string_view person);

class DeliveryStore {
 public:
  enum class Outcome { kNew, kResumed, kDone, kBusy };
  struct Claim {
    Outcome outcome = Outcome::kNew;
    DeliveryRecord record;
    absl::Time lease_until = absl::InfinitePast();  // kBusy: when the holder's lease runs out
  };

  // All keys start with `prefix`; records and claims expire after `ttl`.
  DeliveryStore(redis::Client& redis, std::string prefix, absl::Duration ttl)
      : redis_(redis), prefix_(std::move(prefix)), ttl_(ttl) {}

  // Claims `key` for `owner` until now + lease. `grouped` creates the record
  // directly in state grouped (a storm member: recorded, never sent).
  [[nodiscard]] absl::StatusOr<Claim> ClaimDelivery(const DeliveryKey& key, const std::string& owner, absl::Time now,
                                                    absl::Duration lease, bool grouped);
  // An attempt on channel `channel_index` (its `channel_attempts`-th) is about
  // to be made: counts it and renews the lease. FAILED_PRECONDITION if
  // `owner` lost the delivery.
  [[nodiscard]] absl::Status BeginAttempt(const std::string& delivery_id, const std::string& owner, absl::Time now,
                                          absl::Duration lease, size_t channel_index, int channel_attempts,
                                          std::string_view channel);
  // The attempt failed with `error`; the lease is held until `hold_until`.
  [[nodiscard]] absl::Status RecordError(const std::string& delivery_id, const std::string& owner,
                                         const std::string& error, absl::Time hold_until);
  // Final state: kSent (at `at`) or kFailed.
  [[nodiscard]] absl::Status Finish(const std::string& delivery_id, const std::string& owner, DeliveryState state,
                                    const std::string& error, absl::Time at);
  // Gives up the lease without finishing (shutdown): the next claim resumes at once.
  [[nodiscard]] absl::Status Release(const std::string& delivery_id, const std::string& owner);

  // The alert was acknowledged or resolved (`how`, e.g. "acknowledged by
  // li.lei"): its pages still being retried stop. Kept for the record TTL.
  [[nodiscard]] absl::Status MarkClosed(const std::string& alert_id, const std::string& how);
  // Why the alert is closed; empty while it is open.
  [[nodiscard]] absl::StatusOr<std::string> Closed(const std::string& alert_id);

  // Every delivery of `alert_id`, oldest first.
  [[nodiscard]] absl::StatusOr<std::vector<DeliveryRecord>> List(const std::string& alert_id);
  [[nodiscard]] absl::StatusOr<DeliveryRecord> Get(const std::string& delivery_id);

 private:
  std::string Key(std::string_view delivery_id) const;
  std::string IndexKey(std::string_view alert_id) const;
  std::string ClosedKey(std::string_view alert_id) const;

  redis::Client& redis_;
  std::string prefix_;
  absl::Duration ttl_;
};

}  // namespace fbl::notifier
