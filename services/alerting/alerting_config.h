#pragma once

#include <string>

#include "libs/kafka/kafka_config.h"
#include "libs/redis/redis_config.h"
#include "libs/runtime/common_config.h"

namespace fbl::alerting {

struct EscalationConfig {
  absl::Duration ack_timeout_sev1 = absl::Minutes(15);  // unacknowledged → next tier
  absl::Duration ack_timeout_sev2 = absl::Hours(1);
  absl::Duration ack_timeout_sev3 = absl::Hours(4);
  absl::Duration contact_timeout = absl::Hours(1);  // promised customer contact (ALR-3)
  int max_tier = 2;                                 // 0 on-call, 1 next tier, 2 management
};

struct AlertingConfig {
  runtime::ServerConfig server;
  std::string kafka_brokers;  // if set, used by both producer and consumer
  kafka::ProducerConfig producer;
  kafka::ConsumerConfig consumer;  // group "alerting", topic = topics.accepted unless set
  redis::RedisConfig redis;
  std::string redis_key_prefix = "fbl:alerting:";  // one per deployment sharing a Redis
  std::string accepted_topic = "feedback.accepted.v1";
  std::string alerts_topic = "alerts.v1";
  std::string rules_file = "deploy/rules/red_alert.yaml";
  absl::Duration rules_poll = absl::Seconds(2);  // file checked for changes; SIGHUP reloads at once
  EscalationConfig escalation;
  absl::Duration scheduler_tick = absl::Milliseconds(500);
  absl::Duration timer_lease = absl::Seconds(30);  // a claimed timer returns if its replica dies
  int consume_batch = 200;
};

void BindConfig(config::Binder& b, EscalationConfig& c);
void BindConfig(config::Binder& b, AlertingConfig& c);

}  // namespace fbl::alerting
