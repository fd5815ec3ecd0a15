#pragma once

#include <cstdint>
#include <string_view>

namespace fbl::kafka {

// Hooks through which the Kafka clients report what happens, so that metrics
// and logging stay out of this library. Called from librdkafka's threads or
// the caller's; implementations must be thread-safe and fast.
class Observer {
 public:
  virtual ~Observer() = default;
  virtual void OnDelivered(std::string_view /*topic*/) {}
  virtual void OnDeliveryFailed(std::string_view /*topic*/, std::string_view /*error*/) {}
  virtual void OnQueueFull(std::string_view /*topic*/) {}
  virtual void OnRebalance(bool /*assigned*/, int /*partitions*/) {}
  virtual void OnCommit(bool /*ok*/) {}
  // A consumer's lag on one topic: messages not yet committed on the
  // partitions it is assigned (0 when it has none). Every
  // ConsumerConfig::lag_interval, from the consumer's Poll.
  virtual void OnConsumerLag(std::string_view /*group*/, std::string_view /*topic*/, int64_t /*messages*/) {}
  // Client-level errors and warnings (broker down, auth failure ...).
  virtual void OnClientLog(int /*syslog_level*/, std::string_view /*message*/) {}
};

}  // namespace fbl::kafka
