#include "services/alerting/alerting_config.h"

namespace fbl::alerting {

void BindConfig(config::Binder& b, EscalationConfig& c) {
  b.Field("ack_timeout_sev1", c.ack_timeout_sev1);
  b.Field("ack_timeout_sev2", c.ack_timeout_sev2);
  b.Field("ack_timeout_sev3", c.ack_timeout_sev3);
  b.Field("contact_timeout", c.contact_timeout);
  b.Field("max_tier", c.max_tier);
  if (c.max_tier < 0 || c.max_tier > 5) b.Fail("max_tier", "must be 0..5");
}

void BindConfig(config::Binder& b, AlertingConfig& c) {
  c.consumer.group_id = "alerting";
  c.producer.client_id = c.consumer.client_id = "alerting";
  b.Field("server", c.server);
  b.Field("kafka_brokers", c.kafka_brokers);
  b.Field("producer", c.producer);
  b.Field("consumer", c.consumer);
  b.Field("redis", c.redis);
  b.Field("redis_key_prefix", c.redis_key_prefix);
  b.Field("accepted_topic", c.accepted_topic);
  b.Field("alerts_topic", c.alerts_topic);
  b.Field("rules_file", c.rules_file);
  b.Field("rules_poll", c.rules_poll);
  b.Field("escalation", c.escalation);
  b.Field("scheduler_tick", c.scheduler_tick);
  b.Field("timer_lease", c.timer_lease);
  b.Field("consume_batch", c.consume_batch);
  if (!c.kafka_brokers.empty()) c.producer.brokers = c.consumer.brokers = c.kafka_brokers;
  if (c.consumer.topics.empty()) c.consumer.topics = {c.accepted_topic};
  if (c.consume_batch <= 0) b.Fail("consume_batch", "must be positive");
}

}  // namespace fbl::alerting
