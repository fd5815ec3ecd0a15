#pragma once
// Storm windows in Redis (the rules are in storm.h). Admit applies
// DecideStorm with a compare-and-set on the storm key's current window, so
// replicas agree; the decision for an event is stored, so a redelivered
// event gets the same answer. Closed windows are claimed with a lease (like
// timers) by one replica, which sends the summary; a replica that dies
// leaves the lease to run out and another one sends it.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/redis/redis_client.h"
#include "services/notifier/page.h"
#include "services/notifier/storm.h"

namespace fbl::notifier {

class StormStore {
 public:
  StormStore(redis::Client& redis, std::string prefix, absl::Duration ttl)
      : redis_(redis), prefix_(std::move(prefix)), ttl_(ttl) {}

  // Whether `page` (an alert of storm key `storm_key`) pages now or is
  // grouped; a grouped alert adds `recipients` to the window's summary.
  [[nodiscard]] absl::StatusOr<StormDecision> Admit(const std::string& storm_key, const Page& page,
                                                    const std::vector<std::string>& recipients, absl::Time now,
                                                    absl::Duration window);

  // A window whose time is up, claimed for its summary.
  struct ClosedWindow {
    std::string storm_key;
    StormWindow window;
    int count = 0;                        // alerts grouped (not paged individually)
    std::vector<std::string> recipients;  // who they would have paged
    Page first;                           // the alert that opened the window (ids, category, severity, tier)
  };
  // Up to `limit` windows closed at `now`, leased until now + lease. Closing
  // is atomic with admission: an alert arriving later opens a new window.
  [[nodiscard]] absl::StatusOr<std::vector<ClosedWindow>> ClaimClosed(absl::Time now, absl::Duration lease,
                                                                      int limit);
  // The summary of a claimed window is out.
  [[nodiscard]] absl::Status Complete(const ClosedWindow& window);

 private:
  std::string Key(std::string_view name) const { return prefix_ + std::string(name); }
  std::string WindowKey(const std::string& storm_key, int64_t start_ms) const;

  redis::Client& redis_;
  std::string prefix_;
  absl::Duration ttl_;
};

}  // namespace fbl::notifier
