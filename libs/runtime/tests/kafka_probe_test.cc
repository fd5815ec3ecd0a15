#include "libs/runtime/kafka_probe.h"

#include <gtest/gtest.h>

#include <prometheus/registry.h>

namespace fbl::runtime {
namespace {

// The value of kafka_consumer_lag_messages{group,topic}, or -1 if absent.
double Lag(prometheus::Registry& registry, const std::string& group, const std::string& topic) {
  for (const auto& family : registry.Collect()) {
    if (family.name != "kafka_consumer_lag_messages") continue;
    EXPECT_EQ(family.type, prometheus::MetricType::Gauge);
    for (const auto& metric : family.metric) {
      std::map<std::string, std::string> labels;
      for (const auto& l : metric.label) labels[l.name] = l.value;
      if (labels == std::map<std::string, std::string>{{"group", group}, {"topic", topic}}) {
        return metric.gauge.value;
      }
    }
  }
  return -1;
}

TEST(KafkaProbeTest, ConsumerLagIsAGaugePerGroupAndTopicHoldingTheLastReport) {
  prometheus::Registry registry;
  KafkaProbe probe(registry, "classification");
  probe.OnConsumerLag("classification", "feedback.accepted.v1", 120);
  probe.OnConsumerLag("classification", "feedback.accepted.v1", 7);
  probe.OnConsumerLag("classification", "classification.corrections.v1", 0);
  EXPECT_EQ(Lag(registry, "classification", "feedback.accepted.v1"), 7);
  EXPECT_EQ(Lag(registry, "classification", "classification.corrections.v1"), 0);
  EXPECT_EQ(Lag(registry, "other", "feedback.accepted.v1"), -1);
}

}  // namespace
}  // namespace fbl::runtime
