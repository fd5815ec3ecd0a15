#include "libs/kafka/message.h"

#include <gtest/gtest.h>

#include "libs/kafka/producer.h"

namespace fbl::kafka {
namespace {

TEST(MessageTest, FindHeaderReturnsLastValue) {
  Message m;
  m.headers = {{"content-type", "application/x-protobuf"}, {"content-type", "application/json"}};
  ASSERT_TRUE(m.FindHeader("content-type").has_value());
  EXPECT_EQ(*m.FindHeader("content-type"), "application/json");
  EXPECT_FALSE(m.FindHeader("missing").has_value());
}

TEST(ProducerTest, BadPropertyIsRejectedByName) {
  ProducerConfig config;
  config.extra["no.such.property"] = "1";
  auto producer = Producer::Create(config);
  ASSERT_FALSE(producer.ok());
  EXPECT_EQ(producer.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(producer.status().message().find("no.such.property"), std::string::npos);
}

}  // namespace
}  // namespace fbl::kafka
