#pragma once

#include <string>

#include "libs/kafka/kafka_config.h"
#include "libs/redis/redis_config.h"
#include "libs/runtime/common_config.h"
#include "services/classification/classification_store.h"
#include "services/classification/classifier.h"

namespace fbl::classification {

// CLS-9: how often and over what the emerging topics are computed (by one
// replica at a time).
struct TopicsConfig {
  absl::Duration interval = absl::Minutes(10);
  absl::Duration window = absl::Hours(24 * 7);  // unexplained feedback received within
  int max_docs = 20000;
  int min_cluster_size = 5;
  int max_topics = 20;
};
void BindConfig(config::Binder& b, TopicsConfig& c);

struct ClassificationConfig {
  runtime::ServerConfig server;
  std::string kafka_brokers;  // if set, used by both producer and consumer
  kafka::ProducerConfig producer;
  kafka::ConsumerConfig consumer;  // group "classification", topic = accepted_topic unless set
  redis::RedisConfig redis;
  std::string redis_key_prefix = "fbl:classification:";  // one per deployment sharing a Redis
  std::string accepted_topic = "feedback.accepted.v1";
  std::string classified_topic = "feedback.classified.v1";
  std::string corrections_topic = "classification.corrections.v1";
  std::string taxonomy_file = "deploy/taxonomy/taxonomy.yaml";
  absl::Duration taxonomy_poll = absl::Seconds(2);  // file checked for changes; SIGHUP reloads at once
  std::string sentiment_model = "models/sentiment-zh.ftz";
  // CLS-8: the L3 tag model from classification-train; empty = rules only.
  // Reloaded like the taxonomy when the file changes.
  std::string tag_model;
  Policy policy;
  StoreOptions store;
  TopicsConfig topics;
  int consume_batch = 500;
};

void BindConfig(config::Binder& b, ClassificationConfig& c);

}  // namespace fbl::classification
