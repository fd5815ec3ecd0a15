#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/kafka/kafka_config.h"
#include "libs/kafka/message.h"
#include "libs/kafka/observer.h"

namespace fbl::kafka {

// Group consumer for at-least-once processing: nothing is committed
// automatically; call Commit after a batch is fully processed. Rebalances
// are handled inside Poll. Not thread-safe: use from one thread.
class Consumer {
 public:
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Consumer>> Create(
      const ConsumerConfig& config, Observer* observer = nullptr);
  ~Consumer();  // Close() if not closed

  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  // Returns up to `max_messages`, waiting at most `timeout` for the first.
  // Empty on timeout. Transient broker errors are not returned as errors
  // (the client retries); a fatal error is.
  [[nodiscard]] absl::StatusOr<std::vector<Message>> Poll(size_t max_messages,
                                                          absl::Duration timeout);

  // Commits, per partition, the offset after the highest message in
  // `processed`, asynchronously (a failed commit only means redelivery; it
  // is reported to the observer). Revoked partitions and Close() commit
  // what was processed synchronously.
  [[nodiscard]] absl::Status Commit(const std::vector<Message>& processed);

  // Moves each partition in `unprocessed` back to its lowest offset there, so
  // that those messages are delivered again.
  [[nodiscard]] absl::Status Rewind(const std::vector<Message>& unprocessed);

  // Stops / restarts fetching on the current assignment (Poll keeps serving
  // the group protocol while paused).
  [[nodiscard]] absl::Status Pause();
  [[nodiscard]] absl::Status Resume();

  // Number of partitions currently assigned.
  int AssignedPartitions() const;

  // Leaves the group cleanly. Idempotent.
  void Close();

 private:
  struct Impl;
  explicit Consumer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace fbl::kafka
