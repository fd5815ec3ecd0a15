// The crisis path with the real binaries: a connector record on
// feedback.raw.v1 → intake → feedback.accepted.v1 → alerting → alerts.v1.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "alerting/v1/alerting.pb.h"
#include "feedback/v1/feedback.pb.h"
#include "libs/kafka/consumer.h"
#include "libs/kafka/producer.h"
#include "tests/e2e/service_process.h"
#include "tests/integration/test_env.h"

namespace fbl::testing {
namespace {

namespace apb = ::feedbackloop::alerting::v1;
namespace fpb = ::feedbackloop::feedback::v1;

TEST(RedAlertE2eTest, CrisisFeedbackRaisesExactlyOneAlertHarmlessNone) {
  const auto dir = std::filesystem::temp_directory_path() / UniqueName("redalert-e2e");
  std::filesystem::create_directories(dir / "intake");
  std::filesystem::create_directories(dir / "alerting");
  ASSERT_EQ(RunCommand(std::string(FBL_SOURCE_DIR) + "/scripts/keyring.sh " + (dir / "keyring").string()).first, 0);
  const std::string raw = CreateTopic("e2e.raw", 3), accepted = CreateTopic("e2e.accepted", 3),
                    rejected = CreateTopic("e2e.rejected", 1), alerts = CreateTopic("e2e.alerts", 3);
  const std::string redis = RequireEnv("FBL_REDIS_ADDR");
  const std::string common = "kafka_brokers: " + KafkaBrokers() + "\nredis: {port: " +
                             redis.substr(redis.find(':') + 1) + "}\n";
  std::ofstream((dir / "intake.yaml").string())
      << common << "consumer: {group_id: " << UniqueName("intake") << "}\n"
      << "topics: {raw: " << raw << ", accepted: " << accepted << ", rejected: " << rejected << "}\n"
      << "keyring_file: " << (dir / "keyring").string() << "\n";
  std::ofstream((dir / "alerting.yaml").string())
      << common << "consumer: {group_id: " << UniqueName("alerting") << "}\n"
      << "redis_key_prefix: \"" << UniqueName("fbl:e2e:alerting") << ":\"\n"
      << "accepted_topic: " << accepted << "\nalerts_topic: " << alerts << "\n"
      << "rules_file: " << FBL_SOURCE_DIR << "/deploy/rules/red_alert.yaml\n";
  ServiceProcess intake(FBL_INTAKE_BIN, {"--config", (dir / "intake.yaml").string()}, {}, (dir / "intake").string());
  ServiceProcess alerting(FBL_ALERTING_BIN, {"--config", (dir / "alerting.yaml").string()}, {},
                          (dir / "alerting").string());
  ASSERT_TRUE(intake.Start()) << intake.Log();
  ASSERT_TRUE(alerting.Start()) << alerting.Log();

  // Real texts: Black Cat fraud complaint shape, car_complaints.csv, ChnSentiCorp_htl_all.csv.
  const std::map<std::string, std::string> texts = {
      {"crisis-1", "刹车失灵，高速上差点出事故，要求厂家给说法"},
      {"harmless-1", "酒店很安全，位置好，早餐丰富"},
      {"harmless-2", "没有安全问题，就是隔音差一点"},
  };
  kafka::ProducerConfig pc;
  pc.brokers = KafkaBrokers();
  auto producer = kafka::Producer::Create(pc);
  ASSERT_TRUE(producer.ok());
  const std::string source = UniqueName("e2e-connector");
  for (const auto& [id, text] : texts) {
    fpb::FeedbackSubmission s;
    s.set_external_id(id);
    s.set_source(source);
    s.set_channel(::feedbackloop::common::v1::CHANNEL_COMPLAINT_PLATFORM_BLACKCAT);
    s.set_customer_id("cust-" + id);
    s.set_text(text);
    // Produced twice: a connector replay must not page twice.
    for (int i = 0; i < 2; ++i) ASSERT_TRUE((*producer)->ProduceSync({raw, id, s.SerializeAsString(), {}}).ok());
  }
  const absl::Time sent = absl::Now();

  kafka::ConsumerConfig cc;
  cc.brokers = KafkaBrokers();
  cc.group_id = UniqueName("reader");
  cc.topics = {alerts};
  auto reader = kafka::Consumer::Create(cc);
  ASSERT_TRUE(reader.ok());
  std::vector<apb::AlertEvent> events;
  absl::Time first_seen = absl::InfinitePast();
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < deadline && (events.empty() || absl::Now() < first_seen + absl::Seconds(3))) {
    auto batch = (*reader)->Poll(100, absl::Milliseconds(100));
    ASSERT_TRUE(batch.ok());
    for (const auto& m : *batch) {
      apb::AlertEvent e;
      ASSERT_TRUE(e.ParseFromString(m.value));
      if (events.empty()) first_seen = absl::Now();
      events.push_back(e);
    }
  }
  ASSERT_EQ(events.size(), 1u) << alerting.Log();
  EXPECT_EQ(events[0].type(), apb::ALERT_EVENT_TYPE_RAISED);
  EXPECT_EQ(events[0].alert().category(), apb::ALERT_CATEGORY_SAFETY);
  EXPECT_EQ(events[0].alert().severity(), apb::SEVERITY_SEV1_CRITICAL);
  std::printf("raw record -> alert event: %.0f ms (includes consumer group joins)\n",
              absl::ToDoubleMilliseconds(first_seen - sent));

  // The alerting binary is a well-behaved service too: health, reflection, metrics.
  const char* grpcurl = std::getenv("FBL_GRPCURL");
  const std::string g = grpcurl != nullptr ? grpcurl : "grpcurl";
  auto [hc, health] = RunCommand(g + " -plaintext " + alerting.grpc_address() + " grpc.health.v1.Health/Check");
  EXPECT_EQ(hc, 0) << health;
  EXPECT_NE(health.find("SERVING"), std::string::npos);
  auto [lc, list] = RunCommand(g + " -plaintext -d '{\"state\":\"ALERT_STATE_OPEN\"}' " + alerting.grpc_address() +
                               " feedbackloop.alerting.v1.AlertingService/ListAlerts");
  EXPECT_EQ(lc, 0) << list;
  EXPECT_NE(list.find(events[0].alert().alert_id()), std::string::npos);
  const std::string metrics = "curl -sf http://127.0.0.1:" + std::to_string(alerting.metrics_port()) + "/metrics";
  auto [pc2, promtool] = RunCommand(metrics + " | promtool check metrics");
  EXPECT_EQ(pc2, 0) << promtool;
  auto [mc, raised] = RunCommand(metrics + " | grep '^alerting_alerts_total'");
  EXPECT_NE(raised.find("ALERT_CATEGORY_SAFETY"), std::string::npos) << raised;
  EXPECT_EQ(alerting.Stop(), 0) << alerting.Log();
  EXPECT_EQ(intake.Stop(), 0) << intake.Log();
  std::filesystem::remove_all(dir);
}

// Rules reload live: a new term starts alerting without a restart; a broken
// file is refused and the previous rules keep serving.
TEST(RedAlertE2eTest, RulesReloadLiveAndABadFileKeepsTheOldRules) {
  const auto dir = std::filesystem::temp_directory_path() / UniqueName("rules-e2e");
  std::filesystem::create_directories(dir / "alerting");
  const std::string rules = (dir / "rules.yaml").string();
  std::filesystem::copy_file(std::string(FBL_SOURCE_DIR) + "/deploy/rules/red_alert.yaml", rules);
  const std::string accepted = CreateTopic("e2e.accepted", 1), alerts = CreateTopic("e2e.alerts", 1);
  const std::string redis = RequireEnv("FBL_REDIS_ADDR");
  std::ofstream((dir / "alerting.yaml").string())
      << "kafka_brokers: " << KafkaBrokers() << "\nredis: {port: " << redis.substr(redis.find(':') + 1) << "}\n"
      << "consumer: {group_id: " << UniqueName("alerting") << "}\n"
      << "redis_key_prefix: \"" << UniqueName("fbl:e2e:alerting") << ":\"\n"
      << "accepted_topic: " << accepted << "\nalerts_topic: " << alerts << "\n"
      << "rules_file: " << rules << "\nrules_poll: 200ms\nscheduler_tick: 100ms\n";
  ServiceProcess alerting(FBL_ALERTING_BIN, {"--config", (dir / "alerting.yaml").string()}, {},
                          (dir / "alerting").string());
  ASSERT_TRUE(alerting.Start()) << alerting.Log();

  kafka::ProducerConfig pc;
  pc.brokers = KafkaBrokers();
  auto producer = kafka::Producer::Create(pc);
  ASSERT_TRUE(producer.ok());
  kafka::ConsumerConfig cc;
  cc.brokers = KafkaBrokers();
  cc.group_id = UniqueName("reader");
  cc.topics = {alerts};
  auto reader = kafka::Consumer::Create(cc);
  ASSERT_TRUE(reader.ok());
  // Hand-made term: no real text contains it, so it alerts only once added.
  const std::string term = "紫色警报测试词";
  auto send = [&](const std::string& id) {
    fpb::FeedbackRecord r;
    r.set_feedback_id(UniqueName(id));
    r.set_text("客服说这是" + term + "，请处理");
    ASSERT_TRUE((*producer)->ProduceSync({accepted, r.feedback_id(), r.SerializeAsString(), {}}).ok());
  };
  auto alerts_within = [&](absl::Duration d) {
    size_t n = 0;
    const absl::Time deadline = absl::Now() + d;
    while (absl::Now() < deadline) n += (*reader)->Poll(10, absl::Milliseconds(100))->size();
    return n;
  };

  send("before");
  EXPECT_EQ(alerts_within(absl::Seconds(3)), 0u);

  std::ifstream in(rules);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string anchor = "      - id: fraud.scam";
  ASSERT_NE(text.find(anchor), std::string::npos);
  text.replace(text.find(anchor), 0, "      - id: fraud.reload_test\n        terms: [" + term + "]\n");
  std::ofstream(rules + ".tmp") << text;
  std::filesystem::rename(rules + ".tmp", rules);
  ASSERT_TRUE(WaitFor([&] { return alerting.Log().find("rules file reloaded") != std::string::npos; },
                      std::chrono::seconds(20)));
  send("after");
  EXPECT_EQ(alerts_within(absl::Seconds(5)), 1u);

  std::ofstream(rules + ".tmp") << "version: broken\ncategories: [\n";
  std::filesystem::rename(rules + ".tmp", rules);
  ASSERT_TRUE(WaitFor([&] { return alerting.Log().find("rules file refused") != std::string::npos; },
                      std::chrono::seconds(20)));
  send("still");
  EXPECT_EQ(alerts_within(absl::Seconds(5)), 1u);  // the previous rules still serve
  EXPECT_EQ(alerting.Stop(), 0) << alerting.Log();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace fbl::testing
