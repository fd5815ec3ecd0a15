#pragma once

#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include "libs/kafka/observer.h"

namespace fbl::runtime {

// Kafka client metrics and logs for one service:
//   <service>_kafka_delivered_total{topic}, <service>_kafka_delivery_failed_total{topic},
//   <service>_kafka_queue_full_total{topic}, <service>_kafka_rebalances_total{kind},
//   <service>_kafka_commits_total{result}. Client errors are logged as warnings.
class KafkaProbe : public kafka::Observer {
 public:
  KafkaProbe(prometheus::Registry& registry, const std::string& service);

  void OnDelivered(std::string_view topic) override;
  void OnDeliveryFailed(std::string_view topic, std::string_view error) override;
  void OnQueueFull(std::string_view topic) override;
  void OnRebalance(bool assigned, int partitions) override;
  void OnCommit(bool ok) override;
  void OnClientLog(int syslog_level, std::string_view message) override;

 private:
  prometheus::Family<prometheus::Counter>& delivered_;
  prometheus::Family<prometheus::Counter>& failed_;
  prometheus::Family<prometheus::Counter>& queue_full_;
  prometheus::Family<prometheus::Counter>& rebalances_;
  prometheus::Family<prometheus::Counter>& commits_;
};

}  // namespace fbl::runtime
