#include "services/classification/classification_config.h"

namespace fbl::classification {

void BindConfig(config::Binder& b, TopicsConfig& c) {
  b.Field("interval", c.interval);
  b.Field("window", c.window);
  b.Field("max_docs", c.max_docs);
  b.Field("min_cluster_size", c.min_cluster_size);
  b.Field("max_topics", c.max_topics);
  if (c.interval < absl::Seconds(1)) b.Fail("interval", "must be at least 1s");
  if (c.window < absl::Hours(1)) b.Fail("window", "must be at least 1h");
  if (c.max_docs < 10) b.Fail("max_docs", "must be at least 10");
  if (c.min_cluster_size < 2) b.Fail("min_cluster_size", "must be at least 2");
  if (c.max_topics < 1) b.Fail("max_topics", "must be at least 1");
}

void BindConfig(config::Binder& b, ClassificationConfig& c) {
  c.consumer.group_id = "classification";
  c.producer.client_id = c.consumer.client_id = "classification";
  b.Field("server", c.server);
  b.Field("kafka_brokers", c.kafka_brokers);
  b.Field("producer", c.producer);
  b.Field("consumer", c.consumer);
  b.Field("redis", c.redis);
  b.Field("redis_key_prefix", c.redis_key_prefix);
  b.Field("accepted_topic", c.accepted_topic);
  b.Field("classified_topic", c.classified_topic);
  b.Field("corrections_topic", c.corrections_topic);
  b.Field("taxonomy_file", c.taxonomy_file);
  b.Field("taxonomy_poll", c.taxonomy_poll);
  b.Field("sentiment_model", c.sentiment_model);
  b.Field("tag_model", c.tag_model);
  b.Field("policy", c.policy);
  b.Field("store", c.store);
  b.Field("topics", c.topics);
  b.Field("consume_batch", c.consume_batch);
  if (!c.kafka_brokers.empty()) c.producer.brokers = c.consumer.brokers = c.kafka_brokers;
  if (c.consumer.topics.empty()) c.consumer.topics = {c.accepted_topic};
  if (c.consume_batch <= 0) b.Fail("consume_batch", "must be positive");
  if (c.taxonomy_poll <= absl::ZeroDuration()) b.Fail("taxonomy_poll", "must be positive");
}

}  // namespace fbl::classification
