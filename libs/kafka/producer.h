#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/kafka/kafka_config.h"
#include "libs/kafka/message.h"
#include "libs/kafka/observer.h"

namespace fbl::kafka {

struct DeliveryResult {
  absl::Status status;  // OK once the broker acknowledged (acks=all)
  int32_t partition = -1;
  int64_t offset = -1;
};

using DeliveryCallback = std::function<void(const DeliveryResult&)>;

// Idempotent producer (acks=all, ordered per partition) with one delivery
// report per message. A background thread serves delivery reports.
// Thread-safe.
class Producer {
 public:
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Producer>> Create(
      const ProducerConfig& config, Observer* observer = nullptr);
  ~Producer();  // flushes for up to 10 s, then drops what is left (reported as failed)

  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Enqueues `message`; `on_delivery` runs exactly once, on the delivery
  // thread. When the local queue stays full for `enqueue_timeout`, returns
  // RESOURCE_EXHAUSTED (retryable) and `on_delivery` is not called.
  [[nodiscard]] absl::Status Produce(OutgoingMessage message, DeliveryCallback on_delivery);

  // Produces and waits for the acknowledgement.
  [[nodiscard]] absl::StatusOr<DeliveryResult> ProduceSync(OutgoingMessage message);

  // Waits until everything queued is delivered or failed.
  [[nodiscard]] absl::Status Flush(absl::Duration timeout);

  // Messages queued locally and not yet acknowledged.
  int InFlight() const;

 private:
  struct Impl;
  explicit Producer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace fbl::kafka
