#include "libs/kafka/consumer_lag.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace fbl::kafka::internal {
namespace {

using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

// Statistics captured from librdkafka 2.0.2 (a group consumer on a 6-partition
// topic against the local broker), cut to partitions 0-3 and -1 and to the
// fields that matter. Partition 1 has 10 committed of 10; partitions 0 and 2
// have 10 messages each passed to the application but nothing committed;
// partition 3 is empty.
constexpr char kAfterFetch[] = R"({"name":"rdkafka#consumer-1","type":"consumer","topics":{
 "surveys.responses.v1":{"topic":"surveys.responses.v1","partitions":{
  "0":{"partition":0,"desired":true,"fetch_state":"active","next_offset":10,"app_offset":10,"committed_offset":-1001,"lo_offset":0,"hi_offset":10,"ls_offset":10,"consumer_lag":-1},
  "1":{"partition":1,"desired":true,"fetch_state":"active","next_offset":10,"app_offset":-1001,"committed_offset":10,"lo_offset":0,"hi_offset":10,"ls_offset":10,"consumer_lag":0},
  "2":{"partition":2,"desired":true,"fetch_state":"active","next_offset":10,"app_offset":10,"committed_offset":-1001,"lo_offset":0,"hi_offset":10,"ls_offset":10,"consumer_lag":-1},
  "3":{"partition":3,"desired":true,"fetch_state":"active","next_offset":0,"app_offset":-1001,"committed_offset":-1001,"lo_offset":0,"hi_offset":0,"ls_offset":0,"consumer_lag":-1},
  "-1":{"partition":-1,"desired":false,"fetch_state":"none","next_offset":0,"app_offset":-1001,"committed_offset":-1001,"lo_offset":-1001,"hi_offset":-1001,"ls_offset":-1001,"consumer_lag":-1}}}}})";

// The same consumer's first statistics after joining: offsets fetched from
// the group (partition 1), no fetch answered yet, so no end offsets.
constexpr char kBeforeFetch[] = R"({"name":"rdkafka#consumer-1","type":"consumer","topics":{
 "surveys.responses.v1":{"topic":"surveys.responses.v1","partitions":{
  "0":{"partition":0,"desired":true,"fetch_state":"offset-wait","app_offset":-1001,"committed_offset":-1001,"lo_offset":-1001,"hi_offset":-1001,"ls_offset":-1001},
  "1":{"partition":1,"desired":true,"fetch_state":"active","app_offset":-1001,"committed_offset":10,"lo_offset":-1001,"hi_offset":-1001,"ls_offset":-1001},
  "-1":{"partition":-1,"desired":false,"fetch_state":"none","app_offset":-1001,"committed_offset":-1001,"lo_offset":-1001,"hi_offset":-1001,"ls_offset":-1001}}}}})";

TEST(ConsumerLagTest, CommittedOffsetsCountAndUncommittedPartitionsCountFromTheStart) {
  auto lag = LagFromStatistics(kAfterFetch, {"surveys.responses.v1"}, /*from_earliest=*/true);
  ASSERT_TRUE(lag.ok()) << lag.status();
  // 0 on partition 1, 10 each on partitions 0 and 2 (delivered, not committed).
  EXPECT_THAT(*lag, UnorderedElementsAre(Pair("surveys.responses.v1", 20)));
}

TEST(ConsumerLagTest, WithLatestUncommittedPartitionsCountFromWhatTheApplicationGot) {
  auto lag = LagFromStatistics(kAfterFetch, {"surveys.responses.v1"}, /*from_earliest=*/false);
  ASSERT_TRUE(lag.ok()) << lag.status();
  EXPECT_THAT(*lag, UnorderedElementsAre(Pair("surveys.responses.v1", 0)));
}

TEST(ConsumerLagTest, TopicIsLeftOutUntilAnEndOffsetIsKnown) {
  auto lag = LagFromStatistics(kBeforeFetch, {"surveys.responses.v1"}, true);
  ASSERT_TRUE(lag.ok()) << lag.status();
  EXPECT_THAT(*lag, IsEmpty());
}

TEST(ConsumerLagTest, TopicsWithoutMetadataAreLeftOutAndUnassignedTopicsHaveNoLag) {
  // Hand-edited from kAfterFetch: another member of the group owns every
  // partition of "alerts.v1" (desired false); "tickets.events.v1" is not
  // in the statistics at all.
  constexpr char kStats[] = R"({"topics":{"alerts.v1":{"partitions":{
    "0":{"partition":0,"desired":false,"committed_offset":-1001,"lo_offset":0,"hi_offset":40,"ls_offset":40},
    "-1":{"partition":-1,"desired":false}}}}})";
  auto lag = LagFromStatistics(kStats, {"alerts.v1", "tickets.events.v1"}, true);
  ASSERT_TRUE(lag.ok()) << lag.status();
  EXPECT_THAT(*lag, UnorderedElementsAre(Pair("alerts.v1", 0)));
}

TEST(ConsumerLagTest, CommittedBeyondTheKnownEndCountsAsNoLag) {
  // Hand-written: a commit seen before the fetch that would raise hi_offset.
  constexpr char kStats[] = R"({"topics":{"t":{"partitions":{
    "0":{"desired":true,"committed_offset":12,"lo_offset":0,"hi_offset":10,"ls_offset":10}}}}})";
  auto lag = LagFromStatistics(kStats, {"t"}, true);
  ASSERT_TRUE(lag.ok()) << lag.status();
  EXPECT_THAT(*lag, UnorderedElementsAre(Pair("t", 0)));
}

TEST(ConsumerLagTest, NotStatisticsIsInvalidArgument) {
  EXPECT_EQ(LagFromStatistics("{", {"t"}, true).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(LagFromStatistics(R"({"name":"x"})", {"t"}, true).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(LagFromStatistics("[1,2]", {"t"}, true).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace fbl::kafka::internal
