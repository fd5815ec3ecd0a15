// Alerting against the real Kafka and Redis, with an injected clock.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>

#include <prometheus/registry.h>

#include "libs/kafka/consumer.h"
#include "libs/redis/redis_client.h"
#include "services/alerting/alerting_service.h"
#include "tests/integration/test_env.h"

namespace fbl::alerting {
namespace {

using fbl::testing::CreateTopic;
using fbl::testing::KafkaBrokers;
using fbl::testing::UniqueName;
namespace fpb = ::feedbackloop::feedback::v1;

class AlertingIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.alerts_topic = CreateTopic("t.alerts", 1);
    config_.producer.brokers = KafkaBrokers();
    const std::string addr = fbl::testing::RequireEnv("FBL_REDIS_ADDR");
    config_.redis.port = std::stoi(addr.substr(addr.find(':') + 1));
    auto redis = redis::Client::Create(config_.redis);
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_ = std::move(*redis);
    auto producer = kafka::Producer::Create(config_.producer);
    ASSERT_TRUE(producer.ok());
    producer_ = std::move(*producer);
    auto rules = redalert::CreateRuleReloader(FBL_RULES_FILE);
    ASSERT_TRUE(rules.ok()) << rules.status();
    rules_ = std::move(*rules);
    store_ = std::make_unique<AlertStore>(*redis_, UniqueName("fbl:test:alerting") + ":");
    metrics_ = std::make_unique<AlertingMetrics>(registry_);
    publisher_ = std::make_unique<EventPublisher>(*producer_, config_.alerts_topic, *metrics_);
    clock_ = [this] { return absl::FromUnixMillis(now_ms_.load()); };
    processor_ = std::make_unique<AlertProcessor>(config_, *rules_, *store_, *publisher_, *metrics_, clock_);
  }

  kafka::Message Record(const std::string& id, const std::string& text, const std::string& duplicate_of = "") {
    fpb::FeedbackRecord r;
    r.set_feedback_id(id);
    r.set_text(text);
    r.set_customer_pseudonym("c_test");
    r.set_duplicate_of(duplicate_of);
    kafka::Message m;
    m.value = r.SerializeAsString();
    return m;
  }

  // Every event on the alerts topic so far (waits `settle` for stragglers).
  std::vector<pb::AlertEvent> Events(size_t at_least, absl::Duration settle = absl::Seconds(1)) {
    kafka::ConsumerConfig c;
    c.brokers = KafkaBrokers();
    c.group_id = UniqueName("reader");
    c.topics = {config_.alerts_topic};
    auto consumer = kafka::Consumer::Create(c);
    EXPECT_TRUE(consumer.ok());
    std::vector<pb::AlertEvent> out;
    absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (absl::Now() < deadline) {
      auto batch = (*consumer)->Poll(100, absl::Milliseconds(200));
      EXPECT_TRUE(batch.ok());
      for (const auto& m : *batch) {
        pb::AlertEvent e;
        EXPECT_TRUE(e.ParseFromString(m.value));
        EXPECT_EQ(m.key, e.alert().alert_id());
        out.push_back(e);
      }
      if (out.size() >= at_least && deadline - absl::Now() > settle) deadline = absl::Now() + settle;
    }
    return out;
  }

  AlertingConfig config_;
  std::unique_ptr<redis::Client> redis_;
  std::unique_ptr<kafka::Producer> producer_;
  std::unique_ptr<redalert::RuleReloader> rules_;
  std::unique_ptr<AlertStore> store_;
  prometheus::Registry registry_;
  std::unique_ptr<AlertingMetrics> metrics_;
  std::unique_ptr<EventPublisher> publisher_;
  std::atomic<int64_t> now_ms_{1800000000000};
  Clock clock_;
  std::unique_ptr<AlertProcessor> processor_;
};

TEST_F(AlertingIntegrationTest, OneAlertPerCrisisFeedbackEvenWhenRedeliveredNoneForHarmlessText) {
  // Real texts: car_complaints.csv (crisis), ChnSentiCorp_htl_all.csv (harmless 安全), waimai_10k.csv.
  std::vector<kafka::Message> batch = {
      Record(UniqueName("f"), "新车行驶中突然自燃，车主逃出"),
      Record(UniqueName("f"), "酒店很安全，服务热情，下次还来"),
      Record(UniqueName("f"), "送餐很快，味道不错"),
  };
  batch.push_back(Record(UniqueName("f"), "新车行驶中突然自燃，车主逃出", /*duplicate_of=*/"earlier"));
  ASSERT_TRUE(processor_->ProcessBatch(batch).ok());
  ASSERT_TRUE(processor_->ProcessBatch(batch).ok());  // redelivery
  auto events = Events(1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type(), pb::ALERT_EVENT_TYPE_RAISED);
  EXPECT_EQ(events[0].alert().category(), pb::ALERT_CATEGORY_SAFETY);
  fpb::FeedbackRecord crisis;
  ASSERT_TRUE(crisis.ParseFromString(batch[0].value));
  EXPECT_EQ(events[0].alert().feedback_id(), crisis.feedback_id());
  EXPECT_EQ(events[0].alert().alert_id(), AlertIdFor(crisis.feedback_id()));
  auto stored = store_->Get(events[0].alert().alert_id());
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->state(), pb::ALERT_STATE_OPEN);
}

TEST_F(AlertingIntegrationTest, UnacknowledgedAlertEscalatesOnceAcrossTwoReplicasThenAckStopsIt) {
  ASSERT_TRUE(processor_->ProcessBatch({Record(UniqueName("f"), "孩子吃了之后食物中毒住院了")}).ok());
  EscalationScheduler a(config_, *store_, *publisher_, clock_);
  EscalationScheduler b(config_, *store_, *publisher_, clock_);
  ASSERT_EQ(*a.Tick() + *b.Tick(), 0);  // nothing due yet
  now_ms_ += absl::ToInt64Milliseconds(config_.escalation.ack_timeout_sev1 + absl::Seconds(1));
  std::atomic<int> fired{0};
  std::thread ta([&] { fired += *a.Tick(); });
  std::thread tb([&] { fired += *b.Tick(); });
  ta.join();
  tb.join();
  EXPECT_EQ(fired.load(), 1);  // the ack timer, on exactly one replica
  auto events = Events(2);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].type(), pb::ALERT_EVENT_TYPE_ESCALATED);
  EXPECT_EQ(events[1].alert().tier(), 1);

  AlertingGrpcService api(*store_, *publisher_, clock_);
  pb::AcknowledgeAlertRequest ack;
  ack.set_alert_id(events[0].alert().alert_id());
  ack.set_actor("oncall-li");
  pb::Alert acked;
  ASSERT_TRUE(api.AcknowledgeAlert(nullptr, &ack, &acked).ok());
  EXPECT_EQ(acked.state(), pb::ALERT_STATE_ACKNOWLEDGED);
  EXPECT_EQ(acked.acknowledged_by(), "oncall-li");
  pb::RecordCustomerContactRequest contact;
  contact.set_alert_id(acked.alert_id());
  contact.set_actor("oncall-li");
  pb::Alert contacted;
  ASSERT_TRUE(api.RecordCustomerContact(nullptr, &contact, &contacted).ok());
  now_ms_ += absl::ToInt64Milliseconds(absl::Hours(5));
  EXPECT_EQ(*a.Tick() + *b.Tick(), 0);  // acknowledged and contacted: no more escalation
  EXPECT_EQ(Events(3).size(), 3u);      // RAISED, ESCALATED, ACKNOWLEDGED
}

TEST_F(AlertingIntegrationTest, MissedCustomerContactEscalatesToManagementOnce) {
  ASSERT_TRUE(processor_->ProcessBatch({Record(UniqueName("f"), "被骗了，客服诱导我转账三千元")}).ok());
  EscalationScheduler s(config_, *store_, *publisher_, clock_);
  AlertingGrpcService api(*store_, *publisher_, clock_);
  auto raised = Events(1);
  ASSERT_EQ(raised.size(), 1u);
  pb::AcknowledgeAlertRequest ack;
  ack.set_alert_id(raised[0].alert().alert_id());
  ack.set_actor("oncall-wang");
  pb::Alert acked;
  ASSERT_TRUE(api.AcknowledgeAlert(nullptr, &ack, &acked).ok());
  now_ms_ += absl::ToInt64Milliseconds(config_.escalation.contact_timeout + absl::Seconds(1));
  EXPECT_EQ(*s.Tick(), 1);
  EXPECT_EQ(*s.Tick(), 0);
  auto events = Events(3);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[2].type(), pb::ALERT_EVENT_TYPE_CONTACT_BREACHED);
  EXPECT_EQ(events[2].alert().tier(), config_.escalation.max_tier);

  pb::ResolveAlertRequest resolve;
  resolve.set_alert_id(acked.alert_id());
  resolve.set_actor("manager-zhao");
  resolve.set_resolution("refunded and reported to police");
  pb::Alert resolved;
  ASSERT_TRUE(api.ResolveAlert(nullptr, &resolve, &resolved).ok());
  EXPECT_EQ(resolved.state(), pb::ALERT_STATE_RESOLVED);
  EXPECT_EQ(api.ResolveAlert(nullptr, &resolve, &resolved).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  pb::ListAlertsRequest list;
  list.set_state(pb::ALERT_STATE_RESOLVED);
  pb::ListAlertsResponse page;
  ASSERT_TRUE(api.ListAlerts(nullptr, &list, &page).ok());
  ASSERT_EQ(page.alerts_size(), 1);
  EXPECT_EQ(page.alerts(0).resolved_by(), "manager-zhao");
}

}  // namespace
}  // namespace fbl::alerting
