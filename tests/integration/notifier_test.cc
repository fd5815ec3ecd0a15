// The notifier against the real Kafka and Redis and a real local HTTP
// receiver (libcurl on the wire), with an injected clock for storm windows.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include <nlohmann/json.hpp>
#include <prometheus/registry.h>

#include "libs/kafka/consumer.h"
#include "libs/kafka/consumer_loop.h"
#include "libs/kafka/producer.h"
#include "libs/redis/redis_client.h"
#include "services/notifier/notifier_service.h"
#include "services/notifier/signature.h"
#include "tests/integration/notifier_http_receiver.h"
#include "tests/integration/test_env.h"

namespace fbl::notifier {
namespace {

using fbl::testing::CreateTopic;
using fbl::testing::HttpReceiver;
using fbl::testing::KafkaBrokers;
using fbl::testing::UniqueName;
using fbl::testing::WaitFor;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

constexpr char kSecret[] = "integration-test-webhook-secret";

class NotifierIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // li (primary rotation) and wang (always) for tier 0; chen for tier 1; boss for management.
    const std::string yaml = R"(
people:
  - id: li
    name: 李娜
    channels:
      - {type: webhook, address: ")" + receiver_.Url("/hook/li") + R"("}
      - {type: im, address: ")" + receiver_.Url("/im/li") + R"("}
  - id: wang
    channels: [{type: webhook, address: ")" + receiver_.Url("/hook/wang") + R"("}]
  - id: chen
    channels: [{type: webhook, address: ")" + receiver_.Url("/hook/chen") + R"("}]
  - id: boss
    channels: [{type: webhook, address: ")" + receiver_.Url("/hook/boss") + R"("}]
rotations:
  - {id: primary, members: [li], shift: 7d, start: "2026-01-05T09:00", time_zone: Asia/Shanghai}
routes:
  - {name: first-responders, tier: 0, rotations: [primary], people: [wang]}
  - {name: next-tier, tier: 1, people: [chen]}
  - {name: management, tier: 2, people: [boss]}
delivery: {fallback_after: 3, backoff_initial: 1ms, backoff_max: 5ms}
storm: {window: 60s}
channels:
  im: {style: wecom}
)";
    auto cfg = config::LoadFromString<NotifierConfig>(yaml, "notifier-test.yaml");
    ASSERT_TRUE(cfg.ok()) << cfg.status();
    config_ = *cfg;
    const std::string addr = fbl::testing::RequireEnv("FBL_REDIS_ADDR");
    config_.redis.port = std::stoi(addr.substr(addr.find(':') + 1));
    config_.redis_key_prefix = UniqueName("fbl:test:notifier") + ":";
    auto redis = redis::Client::Create(config_.redis);
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_ = std::move(*redis);
    auto dir = BuildDirectory(config_);
    ASSERT_TRUE(dir.ok()) << dir.status();
    directory_ = std::make_unique<OnCallDirectory>(*std::move(dir));
    auto transport = CreateCurlTransport();
    ASSERT_TRUE(transport.ok());
    transport_ = std::move(*transport);
    clock_ = [this] { return absl::FromUnixMillis(now_ms_.load()); };
    Secrets secrets;
    secrets.webhook_secret = kSecret;
    auto channels = ChannelSet::Create(config_, secrets, *transport_, clock_);
    ASSERT_TRUE(channels.ok()) << channels.status();
    channels_ = std::move(*channels);
    deliveries_ = std::make_unique<DeliveryStore>(*redis_, config_.redis_key_prefix, config_.record_ttl);
    storms_ = std::make_unique<StormStore>(*redis_, config_.redis_key_prefix, config_.record_ttl);
    metrics_ = std::make_unique<NotifierMetrics>(registry_);
    notifier_ = MakeNotifier("instance-a");
  }

  std::unique_ptr<Notifier> MakeNotifier(const std::string& instance) {
    return std::make_unique<Notifier>(
        config_, *directory_, *deliveries_, *storms_, *channels_, *metrics_, clock_,
        [](absl::Duration d) {
          std::this_thread::sleep_for(absl::ToChronoMilliseconds(d));  // the service's own backoff (ms here)
          return true;
        },
        instance);
  }

  pb::AlertEvent Event(const std::string& alert_id, pb::AlertEventType type, int tier = 0,
                       const std::string& group_key = "") {
    pb::AlertEvent e;
    const std::string suffix = type == pb::ALERT_EVENT_TYPE_RAISED ? "raised" : pb::AlertEventType_Name(type);
    e.set_event_id(alert_id + ":" + suffix + (tier > 0 ? "-" + std::to_string(tier) : ""));
    e.set_type(type);
    e.set_actor("system");
    e.mutable_occurred_at()->set_seconds(now_ms_.load() / 1000);
    pb::Alert* a = e.mutable_alert();
    a->set_alert_id(alert_id);
    a->set_kind(pb::ALERT_KIND_RED_ALERT);
    a->set_category(pb::ALERT_CATEGORY_SAFETY);
    a->set_severity(pb::SEVERITY_SEV1_CRITICAL);
    a->set_feedback_id("fb-" + alert_id);
    a->set_summary("[safety/sev1] 刹车失灵，高速上差点出事故");
    a->set_tier(tier);
    a->set_group_key(group_key);
    return e;
  }

  static kafka::Message Message(const pb::AlertEvent& e) {
    kafka::Message m;
    m.key = e.alert().alert_id();
    m.value = e.SerializeAsString();
    return m;
  }

  std::vector<pb::Delivery> Deliveries(const std::string& alert_id) {
    NotifierGrpcService api(*deliveries_);
    pb::ListDeliveriesRequest req;
    req.set_alert_id(alert_id);
    pb::ListDeliveriesResponse resp;
    EXPECT_TRUE(api.ListDeliveries(nullptr, &req, &resp).ok());
    return {resp.deliveries().begin(), resp.deliveries().end()};
  }

  static pb::Delivery For(const std::vector<pb::Delivery>& ds, const std::string& recipient) {
    for (const auto& d : ds) {
      if (d.recipient() == recipient) return d;
    }
    ADD_FAILURE() << "no delivery for " << recipient;
    return {};
  }

  HttpReceiver receiver_;
  NotifierConfig config_;
  std::unique_ptr<redis::Client> redis_;
  std::unique_ptr<OnCallDirectory> directory_;
  std::unique_ptr<Transport> transport_;
  std::atomic<int64_t> now_ms_{1795000000000};
  Clock clock_;
  std::unique_ptr<ChannelSet> channels_;
  std::unique_ptr<DeliveryStore> deliveries_;
  std::unique_ptr<StormStore> storms_;
  prometheus::Registry registry_;
  std::unique_ptr<NotifierMetrics> metrics_;
  std::unique_ptr<Notifier> notifier_;
};

TEST_F(NotifierIntegrationTest, AlertProducedTwicePagesEachOnCallPersonOnceWithAValidSignature) {
  const std::string topic = CreateTopic("t.alerts", 3);
  kafka::ProducerConfig pc;
  pc.brokers = KafkaBrokers();
  auto producer = kafka::Producer::Create(pc);
  ASSERT_TRUE(producer.ok());
  const std::string alert = UniqueName("ra");
  const pb::AlertEvent raised = Event(alert, pb::ALERT_EVENT_TYPE_RAISED);
  const std::string other = UniqueName("ra");
  std::vector<pb::AlertEvent> events = {raised, raised, Event(other, pb::ALERT_EVENT_TYPE_ACKNOWLEDGED),
                                        Event(other, pb::ALERT_EVENT_TYPE_RESOLVED)};
  for (const auto& e : events) {
    ASSERT_TRUE((*producer)->ProduceSync({topic, e.alert().alert_id(), e.SerializeAsString(),
                                          {{kafka::kSchemaHeader, e.GetTypeName()}}})
                    .ok());
  }

  kafka::ConsumerConfig cc;
  cc.brokers = KafkaBrokers();
  cc.group_id = UniqueName("notifier");
  cc.topics = {topic};
  auto consumer = kafka::Consumer::Create(cc);
  ASSERT_TRUE(consumer.ok());
  std::atomic<bool> stop{false};
  std::atomic<size_t> handled{0};
  std::thread loop([&] {
    kafka::ConsumerLoopOptions options;
    absl::Status s = kafka::RunConsumerLoop(
        **consumer,
        [&](const std::vector<kafka::Message>& batch) {
          absl::Status r = notifier_->ProcessBatch(batch);
          if (r.ok()) handled += batch.size();
          return r;
        },
        [&] { return stop.load(); }, options);
    EXPECT_TRUE(s.ok()) << s;
  });
  ASSERT_TRUE(WaitFor([&] { return handled.load() >= events.size(); }));
  stop = true;
  loop.join();
  (*consumer)->Close();

  // The ACKNOWLEDGED and RESOLVED events page nobody; the RAISED one, twice on the topic, pages li and wang once.
  const auto requests = receiver_.Requests();
  ASSERT_EQ(requests.size(), 2u);
  std::vector<std::string> recipients;
  for (const auto& r : requests) {
    EXPECT_EQ(r.method, "POST");
    EXPECT_TRUE(VerifySignature(kSecret, r.body, r.Header("X-FBL-Signature"))) << r.Header("X-FBL-Signature");
    EXPECT_FALSE(VerifySignature("wrong-secret-wrong", r.body, r.Header("X-FBL-Signature")));
    const auto j = nlohmann::json::parse(r.body);
    EXPECT_EQ(j["alert_id"], alert);
    EXPECT_EQ(j["event_id"], raised.event_id());
    EXPECT_EQ(r.Header("X-FBL-Delivery-Id"), j["delivery_id"].get<std::string>());
    EXPECT_THAT(j["text"].get<std::string>(), HasSubstr("刹车失灵"));
    recipients.push_back(j["recipient"]["id"]);
  }
  EXPECT_THAT(recipients, UnorderedElementsAre("li", "wang"));

  // A restarted notifier (another instance) handed the same event again sends nothing.
  auto restarted = MakeNotifier("instance-b");
  ASSERT_TRUE(restarted->ProcessBatch({Message(raised)}).ok());
  EXPECT_EQ(receiver_.Requests().size(), 2u);

  const auto ds = Deliveries(alert);
  ASSERT_EQ(ds.size(), 2u);
  for (const auto& d : ds) {
    EXPECT_EQ(d.state(), pb::DELIVERY_STATE_SENT);
    EXPECT_EQ(d.channel(), pb::DELIVERY_CHANNEL_WEBHOOK);
    EXPECT_EQ(d.attempts(), 1);
    EXPECT_EQ(d.sent_at().seconds(), now_ms_.load() / 1000);
  }
  EXPECT_TRUE(Deliveries(other).empty());
}

TEST_F(NotifierIntegrationTest, FailingWebhookIsRetriedThenTheFallbackChannelIsUsed) {
  receiver_.SetResponder([](const HttpReceiver::Request& r) -> std::pair<int, std::string> {
    if (r.path == "/hook/li") return {500, "upstream down"};
    if (r.path == "/hook/wang") return {400, "bad request"};  // permanent: no retries
    return {200, R"({"errcode":0,"errmsg":"ok"})"};
  });
  const std::string alert = UniqueName("ra");
  ASSERT_TRUE(notifier_->ProcessBatch({Message(Event(alert, pb::ALERT_EVENT_TYPE_RAISED))}).ok());

  EXPECT_EQ(receiver_.RequestsTo("/hook/li").size(), 3u);  // fallback_after = 3
  const auto im = receiver_.RequestsTo("/im/li");
  ASSERT_EQ(im.size(), 1u);
  const auto robot = nlohmann::json::parse(im[0].body);
  EXPECT_EQ(robot["msgtype"], "text");
  EXPECT_THAT(robot["text"]["content"].get<std::string>(), HasSubstr(alert));
  EXPECT_EQ(receiver_.RequestsTo("/hook/wang").size(), 1u);

  const auto ds = Deliveries(alert);
  const pb::Delivery li = For(ds, "li");
  EXPECT_EQ(li.state(), pb::DELIVERY_STATE_SENT);
  EXPECT_EQ(li.channel(), pb::DELIVERY_CHANNEL_IM_ROBOT);
  EXPECT_EQ(li.attempts(), 4);
  EXPECT_THAT(li.last_error(), HasSubstr("HTTP 500"));
  const pb::Delivery wang = For(ds, "wang");
  EXPECT_EQ(wang.state(), pb::DELIVERY_STATE_FAILED);  // no fallback channel configured for wang
  EXPECT_EQ(wang.attempts(), 1);
  EXPECT_THAT(wang.last_error(), HasSubstr("HTTP 400"));

  // Redelivery after the outcome is known changes nothing.
  ASSERT_TRUE(notifier_->ProcessBatch({Message(Event(alert, pb::ALERT_EVENT_TYPE_RAISED))}).ok());
  EXPECT_EQ(receiver_.Requests().size(), 5u);
}

TEST_F(NotifierIntegrationTest, EscalationsPageTheirTier) {
  const std::string alert = UniqueName("ra");
  ASSERT_TRUE(notifier_
                  ->ProcessBatch({Message(Event(alert, pb::ALERT_EVENT_TYPE_ESCALATED, 1)),
                                  Message(Event(alert, pb::ALERT_EVENT_TYPE_CONTACT_BREACHED, 2))})
                  .ok());
  EXPECT_EQ(receiver_.RequestsTo("/hook/chen").size(), 1u);
  EXPECT_EQ(receiver_.RequestsTo("/hook/boss").size(), 1u);
  EXPECT_EQ(receiver_.Requests().size(), 2u);
  const auto chen = nlohmann::json::parse(receiver_.RequestsTo("/hook/chen")[0].body);
  EXPECT_EQ(chen["type"], "ALERT_EVENT_TYPE_ESCALATED");
  EXPECT_THAT(chen["title"].get<std::string>(), HasSubstr("escalated to tier 1"));
}

TEST_F(NotifierIntegrationTest, StormOfTwentySameGroupAlertsGivesOnePageAndOneSummaryEach) {
  const std::string group = UniqueName("safety");
  std::vector<std::string> alerts;
  for (int i = 0; i < 20; ++i) {
    alerts.push_back(UniqueName("ra"));
    ASSERT_TRUE(notifier_->ProcessBatch({Message(Event(alerts.back(), pb::ALERT_EVENT_TYPE_RAISED, 0, group))}).ok());
    now_ms_ += 2000;  // 20 alerts in 40 s
  }
  EXPECT_EQ(receiver_.Requests().size(), 2u);  // the first alert, to li and wang
  EXPECT_EQ(*notifier_->FlushStorms(), 0);     // the window is still open

  const auto grouped = Deliveries(alerts[7]);
  ASSERT_EQ(grouped.size(), 2u);
  for (const auto& d : grouped) EXPECT_EQ(d.state(), pb::DELIVERY_STATE_GROUPED);
  // A grouped alert redelivered stays grouped.
  ASSERT_TRUE(notifier_->ProcessBatch({Message(Event(alerts[7], pb::ALERT_EVENT_TYPE_RAISED, 0, group))}).ok());
  EXPECT_EQ(receiver_.Requests().size(), 2u);

  now_ms_ += 30000;  // past the 60 s window
  EXPECT_EQ(*notifier_->FlushStorms(), 1);
  EXPECT_EQ(*notifier_->FlushStorms(), 0);
  const auto requests = receiver_.Requests();
  ASSERT_EQ(requests.size(), 4u);  // instead of 40
  std::vector<std::string> summarised;
  for (size_t i = 2; i < requests.size(); ++i) {
    EXPECT_TRUE(VerifySignature(kSecret, requests[i].body, requests[i].Header("X-FBL-Signature")));
    const auto j = nlohmann::json::parse(requests[i].body);
    EXPECT_EQ(j["grouped_count"], 19);
    EXPECT_THAT(j["title"].get<std::string>(), HasSubstr("19 more " + group + " alerts"));
    EXPECT_EQ(j["alert_id"], alerts[0]);
    summarised.push_back(j["recipient"]["id"]);
  }
  EXPECT_THAT(summarised, UnorderedElementsAre("li", "wang"));
  // The summary deliveries are listed with the first alert.
  EXPECT_EQ(Deliveries(alerts[0]).size(), 4u);

  // The next alert after the window pages normally again.
  const std::string later = UniqueName("ra");
  ASSERT_TRUE(notifier_->ProcessBatch({Message(Event(later, pb::ALERT_EVENT_TYPE_RAISED, 0, group))}).ok());
  EXPECT_EQ(receiver_.Requests().size(), 6u);
}

TEST_F(NotifierIntegrationTest, AcknowledgingAnAlertStopsTheRetriesOfItsPages) {
  // li's webhook fails, slowly: the first attempt is held until the alert has been acknowledged.
  receiver_.SetResponder([](const HttpReceiver::Request& r) -> std::pair<int, std::string> {
    if (r.path == "/hook/li") return {503, "gateway busy"};
    return {200, R"({"errcode":0,"errmsg":"ok"})"};
  });
  receiver_.Hold("/hook/li");
  const std::string alert = UniqueName("ra");
  std::thread paging([&] { EXPECT_TRUE(notifier_->ProcessBatch({Message(Event(alert, pb::ALERT_EVENT_TYPE_RAISED))}).ok()); });
  ASSERT_TRUE(WaitFor([&] { return receiver_.RequestsTo("/hook/li").size() == 1; }));

  // The acknowledgement arrives through the closures consumer while li's page is in flight.
  pb::AlertEvent ack = Event(alert, pb::ALERT_EVENT_TYPE_ACKNOWLEDGED);
  ack.mutable_alert()->set_acknowledged_by("zhang.wei");
  ASSERT_TRUE(notifier_->RecordClosures({Message(ack)}).ok());
  receiver_.Release();
  paging.join();

  EXPECT_EQ(receiver_.RequestsTo("/hook/li").size(), 1u);  // no retry
  EXPECT_TRUE(receiver_.RequestsTo("/im/li").empty());     // no fallback
  const auto ds = Deliveries(alert);
  const pb::Delivery li = For(ds, "li");
  EXPECT_EQ(li.state(), pb::DELIVERY_STATE_CANCELLED);
  EXPECT_THAT(li.last_error(), HasSubstr("acknowledged by zhang.wei"));
  EXPECT_THAT(li.last_error(), HasSubstr("HTTP 503"));
  EXPECT_EQ(For(ds, "wang").state(), pb::DELIVERY_STATE_SENT);  // sent before the acknowledgement

  // A later resolution keeps the first reason; redelivery sends nothing.
  pb::AlertEvent resolved = Event(alert, pb::ALERT_EVENT_TYPE_RESOLVED);
  resolved.mutable_alert()->set_resolved_by("zhang.wei");
  ASSERT_TRUE(notifier_->ProcessBatch({Message(resolved), Message(Event(alert, pb::ALERT_EVENT_TYPE_RAISED))}).ok());
  EXPECT_EQ(*deliveries_->Closed(alert), "acknowledged by zhang.wei");
  EXPECT_EQ(receiver_.Requests().size(), 2u);
}

TEST_F(NotifierIntegrationTest, SharedRateLimitHoldsAcrossReplicas) {
  // Two replicas' limiters on one bucket: 10/s, burst 2. Twelve reservations
  // at once: the last waits (12 - 2) / 10 s, whichever replica takes it.
  const std::string key = config_.redis_key_prefix + "rate:webhook";
  SharedRateLimiter a(*redis_, key, 10, 2, absl::Now());
  SharedRateLimiter b(*redis_, key, 10, 2, absl::Now());
  std::vector<absl::Duration> waits;
  for (int i = 0; i < 12; ++i) waits.push_back((i % 2 == 0 ? a : b).Reserve(absl::Now()));
  EXPECT_EQ(waits[0], absl::ZeroDuration());
  EXPECT_EQ(waits[1], absl::ZeroDuration());
  EXPECT_GT(waits[2], absl::Milliseconds(50));
  for (size_t i = 3; i < waits.size(); ++i) EXPECT_GT(waits[i], waits[i - 1]) << i;
  EXPECT_GT(waits.back(), absl::Milliseconds(900));  // per replica it would be 0.4 s
  EXPECT_LE(waits.back(), absl::Milliseconds(1000));
}

TEST_F(NotifierIntegrationTest, DingTalkRobotRequestsAreSigned) {
  NotifierConfig cfg = config_;
  cfg.channels.im.style = "dingtalk";
  Secrets secrets;
  secrets.webhook_secret = kSecret;
  secrets.im_sign_secret = "SECintegration-dingtalk-secret";
  auto channels = ChannelSet::Create(cfg, secrets, *transport_, clock_);
  ASSERT_TRUE(channels.ok()) << channels.status();
  const Person& li = *directory_->FindPerson("li");
  Page page = Notifier::PageFor(Event(UniqueName("ra"), pb::ALERT_EVENT_TYPE_RAISED));
  ASSERT_TRUE((*channels)->Get(ChannelType::kImRobot)->Send(li, li.channels[1], page, "d-1").ok());
  const auto im = receiver_.RequestsTo("/im/li");
  ASSERT_TRUE(im.empty());  // the signed URL has a query string
  const auto all = receiver_.Requests();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].path, "/im/li" + DingTalkSignedUrl("", secrets.im_sign_secret, now_ms_.load()));
  EXPECT_EQ(nlohmann::json::parse(all[0].body)["msgtype"], "text");
}

TEST_F(NotifierIntegrationTest, ListDeliveriesNeedsAnAlertId) {
  NotifierGrpcService api(*deliveries_);
  pb::ListDeliveriesRequest req;
  pb::ListDeliveriesResponse resp;
  EXPECT_EQ(api.ListDeliveries(nullptr, &req, &resp).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace fbl::notifier
