#pragma once

#include <string>

#include "libs/kafka/kafka_config.h"
#include "libs/redis/redis_config.h"
#include "libs/runtime/common_config.h"
#include "services/classification/classifier.h"

namespace fbl::classification {

struct ClassificationConfig {
  runtime::ServerConfig server;
  std::string kafka_brokers;  // if set, used by both producer and consumer
  kafka::ProducerConfig producer;
  kafka::ConsumerConfig consumer;  // group "classification", topic = accepted_topic unless set
  redis::RedisConfig redis;
  std::string redis_key_prefix = "fbl:classification:";  // one per deployment sharing a Redis
  std::string accepted_topic = "feedback.accepted.v1";
  std::string classified_topic = "feedback.classified.v1";
  std::string taxonomy_file = "deploy/taxonomy/taxonomy.yaml";
  absl::Duration taxonomy_poll = absl::Seconds(2);  // file checked for changes; SIGHUP reloads at once
  std::string sentiment_model = "models/sentiment-zh.ftz";
  Policy policy;
  int consume_batch = 500;
};

void BindConfig(config::Binder& b, ClassificationConfig& c);

}  // namespace fbl::classification
