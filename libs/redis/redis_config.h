#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace fbl::redis {

// Connection settings for one Client. Plain struct: loading it from YAML or
// the environment is the job of the service's config code.
struct RedisConfig {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string username;  // Redis 6+ ACL user; empty means the default user
  std::string password;  // empty means no AUTH
  int db = 0;            // SELECTed after every (re)connect when not 0
  absl::Duration connect_timeout = absl::Seconds(2);
  absl::Duration command_timeout = absl::Seconds(2);  // socket read/write timeout per call
  absl::Duration reconnect_initial_backoff = absl::Milliseconds(50);
  absl::Duration reconnect_max_backoff = absl::Seconds(2);
  absl::Duration reconnect_give_up_after = absl::Seconds(10);
};

// OK, or INVALID_ARGUMENT naming the first bad field.
[[nodiscard]] absl::Status ValidateConfig(const RedisConfig& config);

// "host:port", as used in error messages.
std::string Address(const RedisConfig& config);

}  // namespace fbl::redis
