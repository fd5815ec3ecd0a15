#include "libs/kafka/delivery_tracker.h"

#include "absl/strings/str_cat.h"

namespace fbl::kafka {

DeliveryCallback DeliveryTracker::Track(const std::shared_ptr<DeliveryTracker>& self) {
  std::lock_guard lock(mu_);
  ++pending_;
  return [self](const DeliveryResult& r) {
    std::lock_guard lock(self->mu_);
    if (!r.status.ok() && self->error_.ok()) self->error_ = r.status;
    if (--self->pending_ == 0) self->cv_.notify_all();
  };
}

absl::Status DeliveryTracker::Wait(absl::Duration timeout) {
  std::unique_lock lock(mu_);
  if (!cv_.wait_for(lock, std::chrono::milliseconds(absl::ToInt64Milliseconds(timeout)),
                    [&] { return pending_ == 0; })) {
    return absl::UnavailableError(absl::StrCat(pending_, " record(s) not acknowledged by Kafka within ",
                                               absl::FormatDuration(timeout)));
  }
  return error_;
}

}  // namespace fbl::kafka
