#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <algorithm>
#include <set>
#include <string>
#include <sys/wait.h>

#include "feedback/v1/feedback.pb.h"
#include "libs/kafka/consumer.h"
#include "libs/kafka/consumer_loop.h"
#include "libs/kafka/producer.h"
#include "tests/integration/test_env.h"

namespace fbl::kafka {
namespace {

using fbl::testing::CreateTopic;
using fbl::testing::KafkaBrokers;
using fbl::testing::UniqueName;

ProducerConfig TestProducerConfig() {
  ProducerConfig c;
  c.brokers = KafkaBrokers();
  c.client_id = "kafka-test";
  return c;
}

ConsumerConfig TestConsumerConfig(const std::string& topic, const std::string& group) {
  ConsumerConfig c;
  c.brokers = KafkaBrokers();
  c.topics = {topic};
  c.group_id = group;
  c.session_timeout = absl::Seconds(6);
  c.max_poll_interval = absl::Seconds(10);
  return c;
}

// Polls until `n` records arrived or 30 s passed.
std::vector<Message> ConsumeN(Consumer& consumer, size_t n) {
  std::vector<Message> out;
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (out.size() < n && absl::Now() < deadline) {
    auto batch = consumer.Poll(n - out.size(), absl::Milliseconds(200));
    EXPECT_TRUE(batch.ok()) << batch.status();
    if (!batch.ok()) break;
    out.insert(out.end(), batch->begin(), batch->end());
  }
  return out;
}

// Produces "0" … "n-1" (each its own key) to `topic` and waits for delivery.
void ProduceNumbers(Producer& producer, const std::string& topic, int n) {
  for (int i = 0; i < n; ++i) {
    ASSERT_TRUE(producer.Produce({topic, std::to_string(i), std::to_string(i), {}}, nullptr).ok());
  }
  ASSERT_TRUE(producer.Flush(absl::Seconds(10)).ok());
}

TEST(KafkaTest, ProtobufEventRoundTripWithHeaders) {
  const std::string topic = CreateTopic("t.kafka", 3);
  feedbackloop::feedback::v1::FeedbackSubmission sub;
  sub.set_external_id("weibo-123");
  sub.set_source("weibo-connector");
  // Real review text (online_shopping_10_cats.csv, 热水器).
  sub.set_text("安装师傅很专业，热水器加热速度快，就是价格有点贵。");
  auto producer = Producer::Create(TestProducerConfig());
  ASSERT_TRUE(producer.ok()) << producer.status();
  auto delivered = (*producer)->ProduceSync(
      {topic, sub.external_id(), sub.SerializeAsString(), {{kSchemaHeader, sub.GetTypeName()}}});
  ASSERT_TRUE(delivered.ok()) << delivered.status();
  EXPECT_GE(delivered->offset, 0);

  auto consumer = Consumer::Create(TestConsumerConfig(topic, UniqueName("g")));
  ASSERT_TRUE(consumer.ok()) << consumer.status();
  auto got = ConsumeN(**consumer, 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].key, "weibo-123");
  EXPECT_EQ(got[0].partition, delivered->partition);
  EXPECT_EQ(got[0].offset, delivered->offset);
  ASSERT_TRUE(got[0].FindHeader(kSchemaHeader).has_value());
  EXPECT_EQ(*got[0].FindHeader(kSchemaHeader), "feedbackloop.feedback.v1.FeedbackSubmission");
  feedbackloop::feedback::v1::FeedbackSubmission back;
  ASSERT_TRUE(back.ParseFromString(got[0].value));
  EXPECT_EQ(back.text(), sub.text());
  EXPECT_TRUE((*consumer)->Commit(got).ok());
}

TEST(KafkaTest, EveryMessageGetsExactlyOneDeliveryReportAndFlushOnDestroy) {
  const std::string topic = CreateTopic("t.kafka", 3);
  constexpr int kCount = 2000;
  std::atomic<int> ok{0}, failed{0};
  {
    auto producer = Producer::Create(TestProducerConfig());
    ASSERT_TRUE(producer.ok()) << producer.status();
    for (int i = 0; i < kCount; ++i) {
      ASSERT_TRUE((*producer)
                      ->Produce({topic, std::to_string(i % 17), std::to_string(i), {}},
                                [&](const DeliveryResult& r) { (r.status.ok() ? ok : failed)++; })
                      .ok());
    }
  }  // destructor flushes
  EXPECT_EQ(ok.load(), kCount);
  EXPECT_EQ(failed.load(), 0);

  auto consumer = Consumer::Create(TestConsumerConfig(topic, UniqueName("g")));
  ASSERT_TRUE(consumer.ok());
  auto got = ConsumeN(**consumer, kCount);
  std::set<std::string> values;
  for (const auto& m : got) values.insert(m.value);
  EXPECT_EQ(values.size(), static_cast<size_t>(kCount));
}

TEST(KafkaTest, ConsumerKilledBeforeCommitGetsTheMessagesAgain) {
  const std::string topic = CreateTopic("t.kafka", 1);
  const std::string group = UniqueName("g");
  auto producer = Producer::Create(TestProducerConfig());
  ASSERT_TRUE(producer.ok());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE((*producer)->ProduceSync({topic, "k", "m" + std::to_string(i), {}}).ok());
  }
  // Commit the first two in this process, as a healthy consumer would.
  {
    auto consumer = Consumer::Create(TestConsumerConfig(topic, group));
    ASSERT_TRUE(consumer.ok());
    auto first = ConsumeN(**consumer, 2);
    ASSERT_EQ(first.size(), 2u);
    // Poll may have returned more than asked; commit exactly the first two.
    ASSERT_TRUE((*consumer)->Commit({first[0], first[1]}).ok());
    (*consumer)->Close();
  }
  // A separate process processes the remaining three and is SIGKILLed before committing.
  const std::string cmd = std::string(FBL_CONSUME_AND_DIE) + " " + KafkaBrokers() + " " + topic +
                          " " + group + " 3";
  FILE* pipe = popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::vector<std::string> processed;
  char line[256];
  while (std::fgets(line, sizeof(line), pipe) != nullptr) processed.emplace_back(line);
  int status = pclose(pipe);
  ASSERT_TRUE(WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) == 128 + 9))
      << "helper did not die by SIGKILL, status " << status;
  ASSERT_EQ(processed.size(), 3u);
  EXPECT_EQ(processed[0], "0:2:m2\n");

  // The group resumes at the last commit: the three are delivered again, none lost.
  auto consumer = Consumer::Create(TestConsumerConfig(topic, group));
  ASSERT_TRUE(consumer.ok());
  auto again = ConsumeN(**consumer, 3);
  ASSERT_EQ(again.size(), 3u);
  EXPECT_EQ(again[0].value, "m2");
  EXPECT_EQ(again[2].value, "m4");
  ASSERT_TRUE((*consumer)->Commit(again).ok());
}

TEST(KafkaTest, RewindRedeliversUnprocessedMessages) {
  const std::string topic = CreateTopic("t.kafka", 1);
  auto producer = Producer::Create(TestProducerConfig());
  ASSERT_TRUE(producer.ok());
  for (int i = 0; i < 4; ++i) ASSERT_TRUE((*producer)->ProduceSync({topic, "", std::to_string(i), {}}).ok());
  auto consumer = Consumer::Create(TestConsumerConfig(topic, UniqueName("g")));
  ASSERT_TRUE(consumer.ok());
  auto batch = ConsumeN(**consumer, 4);
  ASSERT_EQ(batch.size(), 4u);
  // Processing failed from the third message on: commit two, rewind the rest.
  ASSERT_TRUE((*consumer)->Commit({batch[0], batch[1]}).ok());
  ASSERT_TRUE((*consumer)->Rewind({batch[2], batch[3]}).ok());
  auto again = ConsumeN(**consumer, 2);
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(again[0].value, "2");
  EXPECT_EQ(again[1].value, "3");
}

TEST(KafkaTest, PausedConsumerReceivesNothingUntilResumed) {
  const std::string topic = CreateTopic("t.kafka", 1);
  auto producer = Producer::Create(TestProducerConfig());
  ASSERT_TRUE(producer.ok());
  auto consumer = Consumer::Create(TestConsumerConfig(topic, UniqueName("g")));
  ASSERT_TRUE(consumer.ok());
  ASSERT_TRUE((*producer)->ProduceSync({topic, "", "first", {}}).ok());
  ASSERT_EQ(ConsumeN(**consumer, 1).size(), 1u);  // joined and assigned
  ASSERT_TRUE((*consumer)->Pause().ok());
  ASSERT_TRUE((*producer)->ProduceSync({topic, "", "second", {}}).ok());
  auto none = (*consumer)->Poll(10, absl::Seconds(1));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  ASSERT_TRUE((*consumer)->Resume().ok());
  auto got = ConsumeN(**consumer, 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].value, "second");
}

TEST(KafkaTest, ConsumerLoopRetriesFailedBatchesWithoutLossAndCommits) {
  const std::string topic = CreateTopic("t.kafka", 2);
  const std::string group = UniqueName("g");
  auto producer = Producer::Create(TestProducerConfig());
  ASSERT_TRUE(producer.ok());
  constexpr int kCount = 300;
  ASSERT_NO_FATAL_FAILURE(ProduceNumbers(**producer, topic, kCount));

  auto consumer = Consumer::Create(TestConsumerConfig(topic, group));
  ASSERT_TRUE(consumer.ok());
  std::set<std::string> handled;
  int calls = 0, errors = 0;
  ConsumerLoopOptions options;
  options.max_batch = 50;
  options.retry_backoff = absl::Milliseconds(50);
  absl::Status s = RunConsumerLoop(
      **consumer,
      [&](const std::vector<Message>& batch) {
        // A dependency is down for the first three batches.
        if (++calls <= 3) return absl::UnavailableError("downstream down");
        for (const auto& m : batch) handled.insert(m.value);
        return absl::OkStatus();
      },
      [&] { return handled.size() == kCount; }, options, [&](const absl::Status&) { ++errors; });
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(handled.size(), static_cast<size_t>(kCount));
  EXPECT_EQ(errors, 3);
  (*consumer)->Close();

  // Everything was committed: a new member of the group gets nothing more.
  auto again = Consumer::Create(TestConsumerConfig(topic, group));
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE((*producer)->ProduceSync({topic, "x", "marker", {}}).ok());
  auto rest = ConsumeN(**again, 1);
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].value, "marker");
}

// Commits are asynchronous; a member that hands partitions over commits what
// it processed first, so the new owner starts after it (no redelivery).
TEST(KafkaTest, HandoverToANewMemberRedeliversNothingProcessed) {
  const std::string topic = CreateTopic("t.kafka", 2);
  const std::string group = UniqueName("g");
  auto producer = Producer::Create(TestProducerConfig());
  ASSERT_TRUE(producer.ok());
  constexpr int kCount = 200;
  ASSERT_NO_FATAL_FAILURE(ProduceNumbers(**producer, topic, kCount));
  auto a = Consumer::Create(TestConsumerConfig(topic, group));
  ASSERT_TRUE(a.ok());
  std::set<std::string> seen;
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (seen.size() < kCount && absl::Now() < deadline) {
    auto batch = (*a)->Poll(50, absl::Milliseconds(100));
    ASSERT_TRUE(batch.ok()) << batch.status();
    for (const auto& m : *batch) seen.insert(m.value);
    ASSERT_TRUE((*a)->Commit(*batch).ok());
  }
  ASSERT_EQ(seen.size(), static_cast<size_t>(kCount));

  auto b = Consumer::Create(TestConsumerConfig(topic, group));
  ASSERT_TRUE(b.ok());
  std::vector<std::string> after;  // what either member reads from now on
  auto poll_both = [&] {
    for (Consumer* c : {a->get(), b->get()}) {
      auto batch = c->Poll(50, absl::Milliseconds(50));
      ASSERT_TRUE(batch.ok()) << batch.status();
      for (const auto& m : *batch) after.push_back(m.value);
      ASSERT_TRUE(c->Commit(*batch).ok());
    }
  };
  while ((*b)->AssignedPartitions() == 0 && absl::Now() < deadline) poll_both();
  ASSERT_GT((*b)->AssignedPartitions(), 0);
  constexpr int kMarkers = 20;
  for (int i = 0; i < kMarkers; ++i) {
    ASSERT_TRUE((*producer)->Produce({topic, "m" + std::to_string(i), "marker", {}}, nullptr).ok());
  }
  ASSERT_TRUE((*producer)->Flush(absl::Seconds(10)).ok());
  while (std::count(after.begin(), after.end(), "marker") < kMarkers && absl::Now() < deadline) poll_both();
  EXPECT_EQ(std::count(after.begin(), after.end(), "marker"), kMarkers);
  EXPECT_EQ(after.size(), static_cast<size_t>(kMarkers)) << "processed records were delivered again";
}

TEST(KafkaTest, FullQueueWithBrokerDownIsResourceExhaustedNotUnboundedMemory) {
  ProducerConfig c;
  c.brokers = "127.0.0.1:1";  // nothing listens there
  c.queue_max_messages = 10;
  c.enqueue_timeout = absl::Milliseconds(100);
  c.message_timeout = absl::Seconds(2);
  c.extra["log_level"] = "0";
  std::atomic<int> failed{0};
  {
    auto producer = Producer::Create(c);
    ASSERT_TRUE(producer.ok());
    for (int i = 0; i < 10; ++i) {
      ASSERT_TRUE((*producer)
                      ->Produce({"t.nowhere", "", "x", {}},
                                [&](const DeliveryResult& r) { failed += !r.status.ok(); })
                      .ok());
    }
    absl::Status full = (*producer)->Produce({"t.nowhere", "", "x", {}}, nullptr);
    EXPECT_EQ(full.code(), absl::StatusCode::kResourceExhausted) << full;
    EXPECT_EQ((*producer)->InFlight(), 10);
  }
  // Nothing is silently lost: every accepted message got a failure report.
  EXPECT_EQ(failed.load(), 10);
}

}  // namespace
}  // namespace fbl::kafka
