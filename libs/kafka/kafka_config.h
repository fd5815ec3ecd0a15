#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace fbl::kafka {

// Broker security: SASL and/or TLS, given to librdkafka as security.protocol,
// sasl.* and ssl.* properties (docs/security.md). Default: plaintext, as on
// the local stack. Secrets come from the environment
// (FBL__PRODUCER__SECURITY__SASL_PASSWORD) or a file, never from the repo.
struct SecurityConfig {
  std::string protocol = "plaintext";  // plaintext | ssl | sasl_plaintext | sasl_ssl
  std::string sasl_mechanism;          // PLAIN | SCRAM-SHA-256 | SCRAM-SHA-512 (with sasl_*)
  std::string sasl_username;
  std::string sasl_password;
  std::string sasl_password_file;      // read at load; overrides sasl_password
  std::string ssl_ca_location;         // PEM CA of the brokers' certificates
  std::string ssl_certificate_location;  // PEM client certificate (broker mTLS)
  std::string ssl_key_location;        // PEM client key
  std::string ssl_key_password;
  bool ssl_verify_hostname = true;     // ssl.endpoint.identification.algorithm=https

  // The librdkafka properties for these settings (empty for plaintext).
  std::map<std::string, std::string> Properties() const {
    std::map<std::string, std::string> p;
    if (protocol == "plaintext") return p;
    p["security.protocol"] = protocol;
    auto set = [&](const char* key, const std::string& value) {
      if (!value.empty()) p[key] = value;
    };
    set("sasl.mechanisms", sasl_mechanism);
    set("sasl.username", sasl_username);
    set("sasl.password", sasl_password);
    set("ssl.ca.location", ssl_ca_location);
    set("ssl.certificate.location", ssl_certificate_location);
    set("ssl.key.location", ssl_key_location);
    set("ssl.key.password", ssl_key_password);
    if (protocol == "ssl" || protocol == "sasl_ssl") {
      p["ssl.endpoint.identification.algorithm"] = ssl_verify_hostname ? "https" : "none";
    }
    return p;
  }
};

// Producer settings. Idempotence, acks=all and Nagle off are always on.
struct ProducerConfig {
  std::string brokers = "127.0.0.1:19092";
  std::string client_id = "feedbackloop";
  absl::Duration linger = absl::Milliseconds(2);
  int queue_max_messages = 100000;   // local queue bound (backpressure)
  int queue_max_kbytes = 256 * 1024;
  absl::Duration message_timeout = absl::Seconds(30);  // delivery gives up after this
  absl::Duration enqueue_timeout = absl::Milliseconds(500);  // wait on a full queue
  int max_message_bytes = 1000000;
  SecurityConfig security;  // merged into `extra` by the config binding
  std::map<std::string, std::string> extra;  // raw librdkafka properties; win over `security`
};

// Consumer settings. Offsets are committed only by Consumer::Commit.
struct ConsumerConfig {
  std::string brokers = "127.0.0.1:19092";
  std::string client_id = "feedbackloop";
  std::string group_id;
  std::vector<std::string> topics;
  std::string auto_offset_reset = "earliest";
  absl::Duration session_timeout = absl::Seconds(10);
  absl::Duration max_poll_interval = absl::Minutes(5);
  // How often the lag is reported to the Observer (librdkafka statistics);
  // zero turns it off.
  absl::Duration lag_interval = absl::Seconds(5);
  SecurityConfig security;  // merged into `extra` by the config binding
  std::map<std::string, std::string> extra;
};

}  // namespace fbl::kafka
