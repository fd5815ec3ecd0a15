#include "libs/runtime/common_config.h"

#include <fstream>
#include <sstream>

#include "libs/runtime/log.h"

namespace fbl::runtime {

void BindConfig(config::Binder& b, ServerConfig& c) {
  b.Field("grpc_listen", c.grpc_listen);
  b.Field("metrics_listen", c.metrics_listen);
  b.Field("log_level", c.log_level);
  if (!log::ParseLevel(c.log_level).ok()) b.Fail("log_level", "must be debug, info, warn or error");
  b.Field("drain_timeout", c.drain_timeout);
  b.Field("ready_file", c.ready_file);
  b.Field("auth", c.auth);
}

}  // namespace fbl::runtime

namespace fbl::kafka {

void BindConfig(config::Binder& b, SecurityConfig& c) {
  b.Field("protocol", c.protocol);
  b.Field("sasl_mechanism", c.sasl_mechanism);
  b.Field("sasl_username", c.sasl_username);
  b.Field("sasl_password", c.sasl_password);
  b.Field("sasl_password_file", c.sasl_password_file);
  b.Field("ssl_ca_location", c.ssl_ca_location);
  b.Field("ssl_certificate_location", c.ssl_certificate_location);
  b.Field("ssl_key_location", c.ssl_key_location);
  b.Field("ssl_key_password", c.ssl_key_password);
  b.Field("ssl_verify_hostname", c.ssl_verify_hostname);
  if (c.protocol != "plaintext" && c.protocol != "ssl" && c.protocol != "sasl_plaintext" &&
      c.protocol != "sasl_ssl") {
    b.Fail("protocol", "must be plaintext, ssl, sasl_plaintext or sasl_ssl");
  }
  if (!c.sasl_password_file.empty()) {
    std::ifstream in(c.sasl_password_file);
    std::stringstream ss;
    ss << in.rdbuf();
    if (!in) {
      b.Fail("sasl_password_file", "cannot be read");
    } else {
      c.sasl_password = ss.str();
      while (!c.sasl_password.empty() && (c.sasl_password.back() == '\n' || c.sasl_password.back() == '\r')) {
        c.sasl_password.pop_back();
      }
    }
  }
  const bool sasl = c.protocol.starts_with("sasl_");
  if (sasl && c.sasl_mechanism.empty()) b.Fail("sasl_mechanism", "is required with a sasl_* protocol");
  if (!sasl && (!c.sasl_mechanism.empty() || !c.sasl_username.empty())) {
    b.Fail("protocol", "must be sasl_plaintext or sasl_ssl when SASL settings are given");
  }
}

namespace {
// `security` becomes librdkafka properties; explicit `extra` entries win.
void MergeSecurity(const SecurityConfig& security, std::map<std::string, std::string>& extra) {
  for (auto& [k, v] : security.Properties()) extra.emplace(k, v);
}
}  // namespace

void BindConfig(config::Binder& b, ProducerConfig& c) {
  b.Field("brokers", c.brokers);
  b.Field("client_id", c.client_id);
  b.Field("linger", c.linger);
  b.Field("queue_max_messages", c.queue_max_messages);
  b.Field("queue_max_kbytes", c.queue_max_kbytes);
  b.Field("message_timeout", c.message_timeout);
  b.Field("enqueue_timeout", c.enqueue_timeout);
  b.Field("max_message_bytes", c.max_message_bytes);
  b.Field("security", c.security);
  b.Field("extra", c.extra);
  MergeSecurity(c.security, c.extra);
  if (c.queue_max_messages <= 0) b.Fail("queue_max_messages", "must be positive");
}

void BindConfig(config::Binder& b, ConsumerConfig& c) {
  b.Field("brokers", c.brokers);
  b.Field("client_id", c.client_id);
  b.Field("group_id", c.group_id);
  b.Field("topics", c.topics);
  b.Field("auto_offset_reset", c.auto_offset_reset);
  b.Field("session_timeout", c.session_timeout);
  b.Field("max_poll_interval", c.max_poll_interval);
  b.Field("lag_interval", c.lag_interval);
  b.Field("security", c.security);
  b.Field("extra", c.extra);
  MergeSecurity(c.security, c.extra);
  if (c.auto_offset_reset != "earliest" && c.auto_offset_reset != "latest") {
    b.Fail("auto_offset_reset", "must be earliest or latest");
  }
}

}  // namespace fbl::kafka

namespace fbl::redis {

void BindConfig(config::Binder& b, RedisConfig& c) {
  b.Field("host", c.host);
  b.Field("port", c.port);
  b.Field("username", c.username);
  b.Field("password", c.password);
  b.Field("db", c.db);
  b.Field("connect_timeout", c.connect_timeout);
  b.Field("command_timeout", c.command_timeout);
  b.Field("reconnect_give_up_after", c.reconnect_give_up_after);
  if (c.port <= 0 || c.port > 65535) b.Fail("port", "must be 1..65535");
}

}  // namespace fbl::redis
