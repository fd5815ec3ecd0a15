#pragma once

#include <string>

#include "libs/kafka/kafka_config.h"
#include "libs/redis/redis_config.h"
#include "libs/runtime/common_config.h"
#include "services/intake/dedup_store.h"

namespace fbl::intake {

struct TopicsConfig {
  std::string raw = "feedback.raw.v1";
  std::string accepted = "feedback.accepted.v1";
  std::string rejected = "feedback.rejected.v1";
};

struct LimitsConfig {
  int max_message_bytes = 1 << 20;  // a raw record larger than this is rejected (OVERSIZE)
  int max_text_bytes = 64 << 10;    // title + text
  int max_attachments = 20;
  int max_labels = 32;
  int max_batch = 500;              // SubmitFeedbackBatch items
};

// Data protection (issue #10): retention ceilings, audit stream caps and
// the keyring reload. Defaults documented in docs/security.md, "Retention".
struct PrivacyConfig {
  // No retention of raw or personal data configured here (dedup windows,
  // audit streams' expected span) may exceed this; the config is refused.
  absl::Duration max_retention = absl::Hours(24 * 90);
  int64_t pii_audit_max_len = 1000000;       // fbl:audit:pii, XADD MAXLEN ~
  std::string erasure_audit_stream = "fbl:audit:erasure";
  int64_t erasure_audit_max_len = 1000000;   // erasure records (proof), XADD MAXLEN ~
  absl::Duration keyring_poll = absl::Seconds(10);  // keyring_file change check (also on SIGHUP)
};

struct IntakeConfig {
  runtime::ServerConfig server;
  std::string kafka_brokers;       // if set, used by both producer and consumer
  kafka::ProducerConfig producer;
  kafka::ConsumerConfig consumer;  // group "intake", topic = topics.raw unless set
  redis::RedisConfig redis;
  TopicsConfig topics;
  LimitsConfig limits;
  DedupConfig dedup;
  PrivacyConfig privacy;
  std::string keyring_file;        // empty: the FBL_KEYRING environment variable
  std::string pii_audit_stream = "fbl:audit:pii";  // Redis stream of contact reads
  int consume_batch = 500;         // records per processing batch from Kafka
  absl::Duration retry_backoff = absl::Milliseconds(500);  // after a failed batch
  absl::Duration submit_timeout = absl::Seconds(10);        // gRPC: wait for Kafka ack
};

void BindConfig(config::Binder& b, TopicsConfig& c);
void BindConfig(config::Binder& b, LimitsConfig& c);
void BindConfig(config::Binder& b, DedupConfig& c);
void BindConfig(config::Binder& b, PrivacyConfig& c);
void BindConfig(config::Binder& b, IntakeConfig& c);

}  // namespace fbl::intake
