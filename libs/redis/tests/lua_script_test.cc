#include "libs/redis/lua_script.h"

#include <gtest/gtest.h>

namespace fbl::redis {
namespace {

TEST(Sha1HexTest, KnownVectors) {
  EXPECT_EQ(Sha1Hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(Sha1Hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(Sha1Hex(std::string_view("a\0b", 3)).size(), 40u);
}

TEST(LuaScriptTest, HoldsSourceAndLowercaseSha) {
  // The same digest `redis-cli SCRIPT LOAD` prints for this source.
  LuaScript script("return redis.call('INCRBY', KEYS[1], ARGV[1])");
  EXPECT_EQ(script.source(), "return redis.call('INCRBY', KEYS[1], ARGV[1])");
  EXPECT_EQ(script.sha1(), "8cd00688c05c46bde4a2e60658ef20a2e5c0b248");
  LuaScript copy = script;
  EXPECT_EQ(copy.sha1(), script.sha1());
}

TEST(ScriptErrorToStatusTest, MapsCodes) {
  const std::string sha = "8cd00688c05c46bde4a2e60658ef20a2e5c0b248";
  absl::Status pre = ScriptErrorToStatus(sha, "FBL_PRECONDITION stale version");
  EXPECT_EQ(pre.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(pre.message().find("stale version"), std::string::npos);
  EXPECT_NE(pre.message().find("8cd00688c05c"), std::string::npos);

  EXPECT_EQ(ScriptErrorToStatus(sha, "BUSY Redis is busy running a script").code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(ScriptErrorToStatus(sha, "LOADING Redis is loading the dataset").code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(ScriptErrorToStatus(sha, "OOM command not allowed").code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(ScriptErrorToStatus(sha, "ERR user_script:1: oops").code(),
            absl::StatusCode::kInternal);
  // Only the first word counts.
  EXPECT_EQ(ScriptErrorToStatus(sha, "ERR FBL_PRECONDITION inside").code(),
            absl::StatusCode::kInternal);
  EXPECT_EQ(ScriptErrorToStatus(sha, "FBL_PRECONDITION_X").code(), absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace fbl::redis
