#include "libs/runtime/kafka_probe.h"

#include "libs/runtime/log.h"

namespace fbl::runtime {

KafkaProbe::KafkaProbe(prometheus::Registry& registry, const std::string& service,
                       const std::vector<std::string>& produced)
    : delivered_(prometheus::BuildCounter()
                     .Name(service + "_kafka_delivered_total")
                     .Help("Records acknowledged by Kafka, per topic.")
                     .Register(registry)),
      failed_(prometheus::BuildCounter()
                  .Name(service + "_kafka_delivery_failed_total")
                  .Help("Records Kafka failed to acknowledge, per topic.")
                  .Register(registry)),
      queue_full_(prometheus::BuildCounter()
                      .Name(service + "_kafka_queue_full_total")
                      .Help("Produce attempts that found the local queue full, per topic.")
                      .Register(registry)),
      rebalances_(prometheus::BuildCounter()
                      .Name(service + "_kafka_rebalances_total")
                      .Help("Consumer group rebalances, by kind (assign, revoke).")
                      .Register(registry)),
      commits_(prometheus::BuildCounter()
                   .Name(service + "_kafka_commits_total")
                   .Help("Offset commits, by result (ok, error).")
                   .Register(registry)),
      lag_(prometheus::BuildGauge()
               .Name("kafka_consumer_lag_messages")
               .Help("Messages not yet committed by this consumer group member on its assigned partitions, "
                     "by group and topic.")
               .Register(registry)) {
  for (const std::string& topic : produced) {
    for (auto* family : {&delivered_, &failed_, &queue_full_}) family->Add({{"topic", topic}});
  }
  for (const char* result : {"ok", "error"}) commits_.Add({{"result", result}});
}

void KafkaProbe::OnDelivered(std::string_view topic) {
  delivered_.Add({{"topic", std::string(topic)}}).Increment();
}

void KafkaProbe::OnDeliveryFailed(std::string_view topic, std::string_view error) {
  failed_.Add({{"topic", std::string(topic)}}).Increment();
  log::Warn("kafka delivery failed", {{"topic", topic}, {"error", error}});
}

void KafkaProbe::OnQueueFull(std::string_view topic) {
  queue_full_.Add({{"topic", std::string(topic)}}).Increment();
}

void KafkaProbe::OnRebalance(bool assigned, int partitions) {
  rebalances_.Add({{"kind", assigned ? "assign" : "revoke"}}).Increment();
  log::Info("kafka rebalance", {{"kind", assigned ? "assign" : "revoke"},
                                {"partitions", std::to_string(partitions)}});
}

void KafkaProbe::OnCommit(bool ok) { commits_.Add({{"result", ok ? "ok" : "error"}}).Increment(); }

void KafkaProbe::OnConsumerLag(std::string_view group, std::string_view topic, int64_t messages) {
  lag_.Add({{"group", std::string(group)}, {"topic", std::string(topic)}}).Set(static_cast<double>(messages));
}

void KafkaProbe::OnClientLog(int syslog_level, std::string_view message) {
  if (syslog_level <= 3) {
    log::Warn("kafka client", {{"detail", message}});
  } else {
    log::Debug("kafka client", {{"detail", message}});
  }
}

}  // namespace fbl::runtime
