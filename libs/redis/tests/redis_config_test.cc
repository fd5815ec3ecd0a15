#include "libs/redis/redis_config.h"

#include <gtest/gtest.h>

#include <string>

namespace fbl::redis {
namespace {

void ExpectRejected(const RedisConfig& config, const std::string& field) {
  absl::Status s = ValidateConfig(config);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << field;
  EXPECT_NE(s.message().find(field), std::string::npos) << s;
}

TEST(RedisConfigTest, DefaultsAreValid) {
  EXPECT_TRUE(ValidateConfig(RedisConfig{}).ok());
  EXPECT_EQ(Address(RedisConfig{}), "127.0.0.1:6379");
}

TEST(RedisConfigTest, RejectsBadFieldsByName) {
  RedisConfig c;
  c.host = "";
  ExpectRejected(c, "host");
  c = {};
  c.port = 0;
  ExpectRejected(c, "port");
  c.port = 65536;
  ExpectRejected(c, "port");
  c = {};
  c.db = -1;
  ExpectRejected(c, "db");
  c = {};
  c.username = "svc";
  ExpectRejected(c, "password");
  c = {};
  c.connect_timeout = absl::ZeroDuration();
  ExpectRejected(c, "connect_timeout");
  c = {};
  c.command_timeout = absl::InfiniteDuration();
  ExpectRejected(c, "command_timeout");
  c = {};
  c.reconnect_initial_backoff = -absl::Milliseconds(1);
  ExpectRejected(c, "reconnect_initial_backoff");
  c = {};
  c.reconnect_max_backoff = absl::Milliseconds(10);  // below the 50ms initial
  ExpectRejected(c, "reconnect_max_backoff");
  c = {};
  c.reconnect_give_up_after = -absl::Seconds(1);
  ExpectRejected(c, "reconnect_give_up_after");
}

TEST(RedisConfigTest, AcceptsZeroGiveUpAndAcl) {
  RedisConfig c;
  c.reconnect_give_up_after = absl::ZeroDuration();  // one attempt per call
  c.username = "svc";
  c.password = "secret";
  c.db = 3;
  EXPECT_TRUE(ValidateConfig(c).ok());
}

}  // namespace
}  // namespace fbl::redis
