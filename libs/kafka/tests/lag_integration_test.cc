// Consumer lag through the Observer against the real broker (scripts/test.sh
// sets FBL_KAFKA_BROKERS).

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "libs/kafka/consumer.h"
#include "libs/kafka/producer.h"
#include "tests/integration/test_env.h"

namespace fbl::kafka {
namespace {

using fbl::testing::CreateTopic;
using fbl::testing::KafkaBrokers;
using fbl::testing::UniqueName;

// Keeps the last lag reported per (group, topic).
class LagObserver : public Observer {
 public:
  void OnConsumerLag(std::string_view group, std::string_view topic, int64_t messages) override {
    absl::MutexLock lock(&mu_);
    last_[{std::string(group), std::string(topic)}] = messages;
    ++reports_;
  }
  int64_t Last(const std::string& group, const std::string& topic) {
    absl::MutexLock lock(&mu_);
    auto it = last_.find({group, topic});
    return it == last_.end() ? -1 : it->second;
  }
  int reports() {
    absl::MutexLock lock(&mu_);
    return reports_;
  }

 private:
  absl::Mutex mu_;
  std::map<std::pair<std::string, std::string>, int64_t> last_;
  int reports_ = 0;
};

// Real review texts (online_shopping_10_cats.csv), reused round-robin.
const std::vector<std::string> kReviews = {
    "安装师傅很专业，热水器加热速度快，就是价格有点贵。",
    "物流太慢了，等了一个星期才到，包装还破了。",
    "手机用了两天就死机，客服也不理人。",
};

void ProduceN(const std::string& topic, int n) {
  ProducerConfig c;
  c.brokers = KafkaBrokers();
  c.client_id = "lag-test";
  auto producer = Producer::Create(c);
  ASSERT_TRUE(producer.ok()) << producer.status();
  for (int i = 0; i < n; ++i) {
    ASSERT_TRUE((*producer)->ProduceSync({topic, std::to_string(i), kReviews[i % kReviews.size()], {}}).ok());
  }
}

class LagTest : public ::testing::Test {
 protected:
  void SetUp() override {
    topic_ = CreateTopic("t.lag", 3);
    group_ = UniqueName("g");
    ConsumerConfig c;
    c.brokers = KafkaBrokers();
    c.topics = {topic_};
    c.group_id = group_;
    c.session_timeout = absl::Seconds(6);
    c.lag_interval = absl::Milliseconds(100);
    auto consumer = Consumer::Create(c, &observer_);
    ASSERT_TRUE(consumer.ok()) << consumer.status();
    consumer_ = std::move(*consumer);
  }

  // Polls (which serves the statistics) until `n` messages arrived.
  std::vector<Message> ConsumeN(size_t n) {
    std::vector<Message> out;
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (out.size() < n && absl::Now() < deadline) {
      auto batch = consumer_->Poll(n - out.size(), absl::Milliseconds(100));
      // A topic created a moment ago may be unknown to the group's first
      // metadata fetch on a fresh broker: transient, poll again.
      if (!batch.ok() && absl::IsNotFound(batch.status())) continue;
      EXPECT_TRUE(batch.ok()) << batch.status();
      if (!batch.ok()) break;
      out.insert(out.end(), batch->begin(), batch->end());
    }
    return out;
  }

  // Keeps polling (messages fetched here are neither committed nor counted
  // as processed) until the reported lag is `want`.
  bool WaitForLag(int64_t want) {
    return fbl::testing::WaitFor([&] {
      auto ignored = consumer_->Poll(1, absl::Milliseconds(20));
      EXPECT_TRUE(ignored.ok() || absl::IsNotFound(ignored.status())) << ignored.status();
      return observer_.Last(group_, topic_) == want;
    });
  }

  std::string topic_, group_;
  LagObserver observer_;
  std::unique_ptr<Consumer> consumer_;
};

TEST_F(LagTest, ReportsProducedMinusCommitted) {
  constexpr int kProduced = 60, kCommitted = 25, kMore = 15;
  ProduceN(topic_, kProduced);
  auto first = ConsumeN(kCommitted);
  ASSERT_EQ(first.size(), static_cast<size_t>(kCommitted));
  ASSERT_TRUE(consumer_->Commit(first).ok());
  EXPECT_TRUE(WaitForLag(kProduced - kCommitted)) << "last lag " << observer_.Last(group_, topic_);

  // New messages raise it; the periodic report follows.
  ProduceN(topic_, kMore);
  EXPECT_TRUE(WaitForLag(kProduced + kMore - kCommitted)) << "last lag " << observer_.Last(group_, topic_);

  // A restart of the group member resumes from the commits: the same lag.
  consumer_->Close();
  {
    ConsumerConfig c;
    c.brokers = KafkaBrokers();
    c.topics = {topic_};
    c.group_id = group_;
    c.session_timeout = absl::Seconds(6);
    c.lag_interval = absl::Milliseconds(100);
    LagObserver fresh;
    auto again = Consumer::Create(c, &fresh);
    ASSERT_TRUE(again.ok()) << again.status();
    // The restarted member gets everything after the commits again: exactly what is left.
    std::vector<Message> rest;
    EXPECT_TRUE(fbl::testing::WaitFor([&] {
      auto batch = (*again)->Poll(1, absl::Milliseconds(20));
      if (batch.ok()) rest.insert(rest.end(), batch->begin(), batch->end());
      return fresh.Last(group_, topic_) == kProduced + kMore - kCommitted;
    })) << "last lag " << fresh.Last(group_, topic_);

    // Everything processed and committed: no lag.
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (rest.size() < static_cast<size_t>(kProduced + kMore - kCommitted) && absl::Now() < deadline) {
      auto batch = (*again)->Poll(100, absl::Milliseconds(100));
      ASSERT_TRUE(batch.ok()) << batch.status();
      rest.insert(rest.end(), batch->begin(), batch->end());
    }
    ASSERT_EQ(rest.size(), static_cast<size_t>(kProduced + kMore - kCommitted));
    ASSERT_TRUE((*again)->Commit(rest).ok());
    EXPECT_TRUE(fbl::testing::WaitFor([&] {
      auto ignored = (*again)->Poll(1, absl::Milliseconds(20));
      return fresh.Last(group_, topic_) == 0;
    })) << "last lag " << fresh.Last(group_, topic_);
  }
}

TEST_F(LagTest, ZeroLagIntervalReportsNothing) {
  // lag_interval zero: no statistics at all, even with an observer.
  ConsumerConfig c;
  c.brokers = KafkaBrokers();
  c.topics = {topic_};
  c.group_id = UniqueName("g");
  c.lag_interval = absl::ZeroDuration();
  LagObserver silent;
  auto consumer = Consumer::Create(c, &silent);
  ASSERT_TRUE(consumer.ok()) << consumer.status();
  ProduceN(topic_, 3);
  // Wait until the message arrived (the consumer is assigned and fetching),
  // then a few more polls: still no report.
  std::vector<Message> got;
  ASSERT_TRUE(fbl::testing::WaitFor([&] {
    auto batch = (*consumer)->Poll(3, absl::Milliseconds(50));
    if (batch.ok()) got.insert(got.end(), batch->begin(), batch->end());
    return got.size() >= 3;
  }));
  // The main fixture's consumer, with 100 ms reports, reports meanwhile: a
  // positive control that statistics were due.
  EXPECT_TRUE(WaitForLag(3));
  EXPECT_EQ(silent.reports(), 0);
}

}  // namespace
}  // namespace fbl::kafka
