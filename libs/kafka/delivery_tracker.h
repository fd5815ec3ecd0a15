#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libs/kafka/producer.h"

namespace fbl::kafka {

// Waits for the delivery reports of a group of produced messages:
//   auto tracker = std::make_shared<DeliveryTracker>();
//   producer.Produce(m, tracker->Track(tracker));  ...  tracker->Wait(timeout);
// Callbacks share ownership, so a caller that stops waiting leaves nothing dangling.
class DeliveryTracker {
 public:
  DeliveryCallback Track(const std::shared_ptr<DeliveryTracker>& self);
  // OK when every tracked message was acknowledged; the first failure, or
  // UNAVAILABLE if some are still outstanding after `timeout`.
  [[nodiscard]] absl::Status Wait(absl::Duration timeout);

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int pending_ = 0;
  absl::Status error_;
};

}  // namespace fbl::kafka
