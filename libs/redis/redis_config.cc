#include "libs/redis/redis_config.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace fbl::redis {
namespace {

absl::Status CheckPositive(absl::Duration d, const char* field) {
  if (d <= absl::ZeroDuration() || d == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "redis config: ", field, " must be positive and finite, got ", absl::FormatDuration(d)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateConfig(const RedisConfig& config) {
  if (config.host.empty()) return absl::InvalidArgumentError("redis config: host is empty");
  if (config.port < 1 || config.port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("redis config: port must be in 1..65535, got ", config.port));
  }
  if (config.db < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("redis config: db must be >= 0, got ", config.db));
  }
  if (!config.username.empty() && config.password.empty()) {
    return absl::InvalidArgumentError("redis config: username is set but password is empty");
  }
  for (auto [d, field] : {std::pair{config.connect_timeout, "connect_timeout"},
                          std::pair{config.command_timeout, "command_timeout"},
                          std::pair{config.reconnect_initial_backoff, "reconnect_initial_backoff"},
                          std::pair{config.reconnect_max_backoff, "reconnect_max_backoff"}}) {
    if (absl::Status s = CheckPositive(d, field); !s.ok()) return s;
  }
  if (config.reconnect_max_backoff < config.reconnect_initial_backoff) {
    return absl::InvalidArgumentError(absl::StrCat(
        "redis config: reconnect_max_backoff (", absl::FormatDuration(config.reconnect_max_backoff),
        ") is below reconnect_initial_backoff (",
        absl::FormatDuration(config.reconnect_initial_backoff), ")"));
  }
  if (config.reconnect_give_up_after < absl::ZeroDuration() ||
      config.reconnect_give_up_after == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("redis config: reconnect_give_up_after must be >= 0 and finite, got ",
                     absl::FormatDuration(config.reconnect_give_up_after)));
  }
  return absl::OkStatus();
}

std::string Address(const RedisConfig& config) {
  return absl::StrCat(config.host, ":", config.port);
}

}  // namespace fbl::redis
