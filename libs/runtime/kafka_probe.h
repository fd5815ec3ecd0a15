#pragma once

#include <string>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "libs/kafka/observer.h"

namespace fbl::runtime {

// Kafka client metrics and logs for one service:
//   <service>_kafka_delivered_total{topic}, <service>_kafka_delivery_failed_total{topic},
//   <service>_kafka_queue_full_total{topic}, <service>_kafka_rebalances_total{kind},
//   <service>_kafka_commits_total{result}, and kafka_consumer_lag_messages{group,topic}
//   (messages not yet committed on the partitions this instance is assigned,
//   updated every ConsumerConfig::lag_interval). Client errors are logged as warnings.
class KafkaProbe : public kafka::Observer {
 public:
  // `produced`: the topics the service writes; their failure counters exist
  // from the start (at 0), so dashboards and alert rules see them.
  KafkaProbe(prometheus::Registry& registry, const std::string& service,
             const std::vector<std::string>& produced = {});

  void OnDelivered(std::string_view topic) override;
  void OnDeliveryFailed(std::string_view topic, std::string_view error) override;
  void OnQueueFull(std::string_view topic) override;
  void OnRebalance(bool assigned, int partitions) override;
  void OnCommit(bool ok) override;
  void OnConsumerLag(std::string_view group, std::string_view topic, int64_t messages) override;
  void OnClientLog(int syslog_level, std::string_view message) override;

 private:
  prometheus::Family<prometheus::Counter>& delivered_;
  prometheus::Family<prometheus::Counter>& failed_;
  prometheus::Family<prometheus::Counter>& queue_full_;
  prometheus::Family<prometheus::Counter>& rebalances_;
  prometheus::Family<prometheus::Counter>& commits_;
  prometheus::Family<prometheus::Gauge>& lag_;
};

}  // namespace fbl::runtime
