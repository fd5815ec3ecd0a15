#include "libs/redis/redis_reply.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "libs/redis/hiredis_util.h"

namespace fbl::redis {
namespace {

// Parses raw RESP2 bytes with hiredis's own reader, then converts.
Reply Parse(std::string_view resp) {
  internal::ReaderPtr reader(redisReaderCreate());
  EXPECT_EQ(redisReaderFeed(reader.get(), resp.data(), resp.size()), REDIS_OK);
  void* raw = nullptr;
  EXPECT_EQ(redisReaderGetReply(reader.get(), &raw), REDIS_OK);
  EXPECT_NE(raw, nullptr) << "incomplete reply: " << resp;
  if (raw == nullptr) return Reply::Error("test: incomplete");
  internal::ReplyPtr reply(static_cast<redisReply*>(raw));
  absl::StatusOr<Reply> r = internal::ReplyFromHiredis(*reply);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : Reply::Error("test: conversion failed");
}

TEST(ReplyTest, DefaultIsNil) {
  Reply r;
  EXPECT_TRUE(r.is_nil());
  EXPECT_EQ(r.kind(), ReplyKind::kNil);
  EXPECT_EQ(r.integer(), 0);
  EXPECT_EQ(r.str(), "");
  EXPECT_TRUE(r.elements().empty());
  EXPECT_EQ(r.DebugString(), "nil");
}

TEST(ReplyTest, ParsesScalars) {
  EXPECT_EQ(Parse("$-1\r\n"), Reply::Nil());
  EXPECT_EQ(Parse("*-1\r\n"), Reply::Nil());  // nil array (e.g. timed-out BLPOP)
  EXPECT_EQ(Parse(":-9223372036854775808\r\n"), Reply::Integer(INT64_MIN));
  EXPECT_EQ(Parse("+OK\r\n"), Reply::Status("OK"));
  EXPECT_EQ(Parse("$0\r\n\r\n"), Reply::String(""));
  Reply err = Parse("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_TRUE(err.is_error());
  EXPECT_EQ(err.error_code(), "WRONGTYPE");
  EXPECT_EQ(err.str(), "WRONGTYPE Operation against a key holding the wrong kind of value");
}

TEST(ReplyTest, BulkStringIsBinarySafe) {
  const std::string value = std::string("a\0b\r\n", 5) + "反馈";
  Reply r = Parse("$" + std::to_string(value.size()) + "\r\n" + value + "\r\n");
  ASSERT_EQ(r.kind(), ReplyKind::kString);
  EXPECT_EQ(r.str(), value);
  EXPECT_EQ(r.str().size(), 11u);
}

TEST(ReplyTest, ParsesNestedArrays) {
  Reply r = Parse("*3\r\n:1\r\n*2\r\n$1\r\na\r\n$-1\r\n*0\r\n");
  EXPECT_EQ(r, Reply::Array({Reply::Integer(1),
                             Reply::Array({Reply::String("a"), Reply::Nil()}),
                             Reply::Array({})}));
  EXPECT_EQ(r.elements().size(), 3u);
  EXPECT_EQ(r.elements()[1].elements()[0].str(), "a");
  EXPECT_EQ(r.DebugString(), "[1, [\"a\", nil], []]");
}

TEST(ReplyTest, AccessorsOfOtherKindsAreEmpty) {
  Reply s = Reply::String("x");
  EXPECT_EQ(s.integer(), 0);
  EXPECT_TRUE(s.elements().empty());
  EXPECT_EQ(s.error_code(), "");
  Reply i = Reply::Integer(7);
  EXPECT_EQ(i.str(), "");
  EXPECT_NE(i, Reply::String("7"));
  EXPECT_NE(Reply::Status("OK"), Reply::String("OK"));
}

TEST(ReplyTest, DebugStringEscapesAndTruncates) {
  EXPECT_EQ(Reply::String(std::string("a\0\"", 3)).DebugString(), "\"a\\x00\\\"\"");
  EXPECT_EQ(Reply::Status("OK").DebugString(), "+OK");
  EXPECT_EQ(Reply::Error("ERR bad").DebugString(), "-ERR bad");
  EXPECT_EQ(Reply::Integer(-3).DebugString(), "-3");
  std::string longer = Reply::String(std::string(1000, 'x')).DebugString();
  EXPECT_LT(longer.size(), 300u);
  EXPECT_NE(longer.find("(1000 bytes)"), std::string::npos);
}

TEST(ReplyTest, UnknownHiredisTypeIsInternal) {
  redisReply raw{};
  raw.type = 42;
  absl::StatusOr<Reply> r = internal::ReplyFromHiredis(raw);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInternal);
}

TEST(ReplyTest, KindNames) {
  EXPECT_EQ(ReplyKindName(ReplyKind::kNil), "nil");
  EXPECT_EQ(ReplyKindName(ReplyKind::kArray), "array");
  EXPECT_EQ(ReplyKindName(ReplyKind::kError), "error");
}

}  // namespace
}  // namespace fbl::redis
