#pragma once
// Config sections shared by every service, and their YAML bindings.

#include <string>

#include "absl/time/time.h"
#include "libs/kafka/kafka_config.h"
#include "libs/redis/redis_client.h"
#include "libs/runtime/auth.h"
#include "libs/runtime/config.h"

namespace fbl::runtime {

struct ServerConfig {
  std::string grpc_listen = "127.0.0.1:0";     // host:port, 0 = any free port
  std::string metrics_listen = "127.0.0.1:0";  // serves /metrics
  std::string log_level = "info";
  absl::Duration drain_timeout = absl::Seconds(10);  // SIGTERM → finish in-flight work
  std::string ready_file;  // if set, {"grpc_port","metrics_port"} is written there once serving
  AuthConfig auth;         // TLS/mTLS and per-caller roles; off by default (auth.h)
};

void BindConfig(config::Binder& b, ServerConfig& c);

}  // namespace fbl::runtime

namespace fbl::kafka {
void BindConfig(config::Binder& b, SecurityConfig& c);
void BindConfig(config::Binder& b, ProducerConfig& c);
void BindConfig(config::Binder& b, ConsumerConfig& c);
}  // namespace fbl::kafka

namespace fbl::redis {
void BindConfig(config::Binder& b, RedisConfig& c);
}  // namespace fbl::redis
