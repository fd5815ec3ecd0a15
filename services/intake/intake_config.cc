#include "services/intake/intake_config.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace fbl::intake {


void BindConfig(config::Binder& b, TopicsConfig& c) {
  b.Field("raw", c.raw);
  b.Field("accepted", c.accepted);
  b.Field("rejected", c.rejected);
}

void BindConfig(config::Binder& b, LimitsConfig& c) {
  b.Field("max_message_bytes", c.max_message_bytes);
  b.Field("max_text_bytes", c.max_text_bytes);
  b.Field("max_attachments", c.max_attachments);
  b.Field("max_labels", c.max_labels);
  b.Field("max_batch", c.max_batch);
  if (c.max_text_bytes <= 0 || c.max_message_bytes <= 0) b.Fail("max_text_bytes", "limits must be positive");
}

void BindConfig(config::Binder& b, DedupConfig& c) {
  b.Field("replay_window", c.replay_window);
  b.Field("near_duplicate_window", c.near_duplicate_window);
  b.Field("near_duplicate_min_similarity", c.near_duplicate_min_similarity);
  b.Field("near_duplicate_history", c.near_duplicate_history);
  if (c.near_duplicate_min_similarity <= 0 || c.near_duplicate_min_similarity > 1) {
    b.Fail("near_duplicate_min_similarity", "must be in (0, 1]");
  }
}

void BindConfig(config::Binder& b, PrivacyConfig& c) {
  b.Field("max_retention", c.max_retention);
  b.Field("pii_audit_max_len", c.pii_audit_max_len);
  b.Field("erasure_audit_stream", c.erasure_audit_stream);
  b.Field("erasure_audit_max_len", c.erasure_audit_max_len);
  b.Field("keyring_poll", c.keyring_poll);
  if (c.max_retention <= absl::ZeroDuration()) b.Fail("max_retention", "must be positive");
  if (c.pii_audit_max_len <= 0) b.Fail("pii_audit_max_len", "must be positive");
  if (c.erasure_audit_max_len <= 0) b.Fail("erasure_audit_max_len", "must be positive");
  if (c.erasure_audit_stream.empty()) b.Fail("erasure_audit_stream", "is required");
  if (c.keyring_poll <= absl::ZeroDuration()) b.Fail("keyring_poll", "must be positive");
}

void BindConfig(config::Binder& b, IntakeConfig& c) {
  c.consumer.group_id = "intake";
  c.producer.client_id = c.consumer.client_id = "intake";
  b.Field("server", c.server);
  b.Field("kafka_brokers", c.kafka_brokers);
  b.Field("producer", c.producer);
  b.Field("consumer", c.consumer);
  b.Field("redis", c.redis);
  b.Field("topics", c.topics);
  b.Field("limits", c.limits);
  b.Field("dedup", c.dedup);
  b.Field("privacy", c.privacy);
  b.Field("keyring_file", c.keyring_file);
  b.Field("pii_audit_stream", c.pii_audit_stream);
  b.Field("consume_batch", c.consume_batch);
  b.Field("retry_backoff", c.retry_backoff);
  b.Field("submit_timeout", c.submit_timeout);
  if (!c.kafka_brokers.empty()) c.producer.brokers = c.consumer.brokers = c.kafka_brokers;
  if (c.consumer.topics.empty()) c.consumer.topics = {c.topics.raw};
  if (c.consume_batch <= 0) b.Fail("consume_batch", "must be positive");
  // Stored records (with sealed contact details) live for replay_window.
  for (const auto& [key, value] : {std::pair<const char*, absl::Duration>{"dedup.replay_window", c.dedup.replay_window},
                                   {"dedup.near_duplicate_window", c.dedup.near_duplicate_window}}) {
    if (value > c.privacy.max_retention) {
      b.Fail(key, absl::StrCat(absl::FormatDuration(value), " exceeds privacy.max_retention (",
                               absl::FormatDuration(c.privacy.max_retention), ")"));
    }
    if (value <= absl::ZeroDuration()) b.Fail(key, "must be positive");
  }
}

}  // namespace fbl::intake
