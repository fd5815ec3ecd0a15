// The whole pipeline with the real binaries: connector records on
// feedback.raw.v1 → intake → classification → workorder, and alerting →
// workorder for a crisis. Every accepted feedback is classified once, every
// one that needs action opens exactly one ticket, and the crisis ticket is P0.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "alerting/v1/alerting.pb.h"
#include "classification/v1/classification.pb.h"
#include "feedback/v1/feedback.pb.h"
#include "libs/dataset/csv_reader.h"
#include "libs/kafka/consumer.h"
#include "libs/kafka/producer.h"
#include "tests/e2e/service_process.h"
#include "tests/integration/test_env.h"
#include "workorder/v1/workorder.pb.h"

namespace fbl::testing {
namespace {

namespace cpb = ::feedbackloop::classification::v1;
namespace fpb = ::feedbackloop::feedback::v1;
namespace wpb = ::feedbackloop::workorder::v1;

TEST(PipelineE2eTest, RealReviewsBecomeClassifiedRecordsAndOneTicketEachTheCrisisAtP0) {
  const auto dir = std::filesystem::temp_directory_path() / UniqueName("pipeline-e2e");
  for (const char* d : {"intake", "classification", "alerting", "workorder"}) std::filesystem::create_directories(dir / d);
  ASSERT_EQ(RunCommand(std::string(FBL_SOURCE_DIR) + "/scripts/keyring.sh " + (dir / "keyring").string()).first, 0);
  const std::string raw = CreateTopic("e2e.raw", 3), accepted = CreateTopic("e2e.accepted", 3),
                    rejected = CreateTopic("e2e.rejected", 1), classified = CreateTopic("e2e.classified", 3),
                    corrections = CreateTopic("e2e.corrections", 1), alerts = CreateTopic("e2e.alerts", 3),
                    tickets = CreateTopic("e2e.tickets", 3), surveys = CreateTopic("e2e.surveys", 1);
  const std::string redis = RequireEnv("FBL_REDIS_ADDR");
  const std::string common = "kafka_brokers: " + KafkaBrokers() + "\nredis: {port: " +
                             redis.substr(redis.find(':') + 1) + "}\n";
  const std::string src = FBL_SOURCE_DIR;
  std::ofstream((dir / "intake.yaml").string())
      << common << "consumer: {group_id: " << UniqueName("intake") << "}\n"
      << "topics: {raw: " << raw << ", accepted: " << accepted << ", rejected: " << rejected << "}\n"
      << "keyring_file: " << (dir / "keyring").string() << "\n";
  std::ofstream((dir / "classification.yaml").string())
      << common << "consumer: {group_id: " << UniqueName("classification") << "}\n"
      << "redis_key_prefix: \"" << UniqueName("fbl:e2e:classification") << ":\"\n"
      << "accepted_topic: " << accepted << "\nclassified_topic: " << classified
      << "\ncorrections_topic: " << corrections << "\ntaxonomy_file: " << src << "/deploy/taxonomy/taxonomy.yaml\n"
      << "sentiment_model: " << src << "/models/sentiment-zh.ftz\ntag_model: " << src << "/models/tags-zh.ftz\n";
  std::ofstream((dir / "alerting.yaml").string())
      << common << "consumer: {group_id: " << UniqueName("alerting") << "}\n"
      << "redis_key_prefix: \"" << UniqueName("fbl:e2e:alerting") << ":\"\n"
      << "accepted_topic: " << accepted << "\nalerts_topic: " << alerts << "\n"
      << "rules_file: " << src << "/deploy/rules/red_alert.yaml\n";
  std::ofstream((dir / "workorder.yaml").string())
      << common << "consumer: {group_id: " << UniqueName("workorder") << "}\n"
      << "redis_key_prefix: \"" << UniqueName("fbl:e2e:workorder") << ":\"\n"
      << "classified_topic: " << classified << "\nalerts_topic: " << alerts << "\nsurveys_topic: " << surveys
      << "\ntickets_topic: " << tickets << "\n";
  std::vector<std::unique_ptr<ServiceProcess>> services;
  for (const auto& [name, bin] : std::vector<std::pair<std::string, std::string>>{
           {"intake", FBL_INTAKE_BIN}, {"classification", FBL_CLASSIFICATION_BIN},
           {"alerting", FBL_ALERTING_BIN}, {"workorder", FBL_WORKORDER_BIN}}) {
    services.push_back(std::make_unique<ServiceProcess>(bin, std::vector<std::string>{"--config", (dir / (name + ".yaml")).string()},
                                                        std::map<std::string, std::string>{}, (dir / name).string()));
    ASSERT_TRUE(services.back()->Start()) << name << ": " << services.back()->Log();
  }

  // 20 positive and 20 negative real food-delivery reviews, and one real car
  // complaint title with a brake failure.
  auto waimai = dataset::ReadCsvFile(absl::StrCat(FBL_DATA_DIR, "/waimai_10k.csv"));
  ASSERT_TRUE(waimai.ok());
  std::vector<std::string> texts;
  int positive = 0, negative = 0;
  for (size_t i = 0; texts.size() < 40 && i < waimai->rows.size(); i += 97) {
    int& n = waimai->rows[i].fields[0] == "1" ? positive : negative;
    if (n < 20) {
      ++n;
      texts.push_back(waimai->rows[i].fields[1]);
    }
  }
  texts.push_back("刹车失灵，高速上差点出事故，要求厂家给说法");
  kafka::ProducerConfig pc;
  pc.brokers = KafkaBrokers();
  auto producer = kafka::Producer::Create(pc);
  ASSERT_TRUE(producer.ok());
  const std::string source = UniqueName("e2e-connector");
  for (size_t i = 0; i < texts.size(); ++i) {
    fpb::FeedbackSubmission s;
    s.set_external_id(absl::StrCat("r", i));
    s.set_source(source);
    s.set_channel(::feedbackloop::common::v1::CHANNEL_ECOMMERCE_REVIEW);
    s.set_customer_id(absl::StrCat("cust-", i));
    s.set_text(texts[i]);
    ASSERT_TRUE((*producer)->ProduceSync({raw, s.external_id(), s.SerializeAsString(), {}}).ok());
  }

  kafka::ConsumerConfig cc;
  cc.brokers = KafkaBrokers();
  cc.group_id = UniqueName("reader");
  cc.topics = {classified, tickets, alerts};
  auto reader = kafka::Consumer::Create(cc);
  ASSERT_TRUE(reader.ok());
  std::map<std::string, int> classified_count;  // feedback id -> copies
  std::set<std::string> needs_action;
  std::map<std::string, std::set<std::string>> tickets_of;  // feedback id -> ticket ids created
  std::map<std::string, int> priority_of;                   // ticket id -> last priority seen
  std::set<std::string> alerted;  // feedback ids with a red alert
  std::string crisis_feedback;
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  absl::Time settled = absl::InfiniteFuture();
  while (absl::Now() < deadline && absl::Now() < settled) {
    auto batch = (*reader)->Poll(500, absl::Milliseconds(200));
    ASSERT_TRUE(batch.ok());
    for (const auto& m : *batch) {
      if (m.topic == classified) {
        cpb::ClassifiedFeedback c;
        ASSERT_TRUE(c.ParseFromString(m.value));
        ++classified_count[c.feedback().feedback_id()];
        if (c.needs_action()) needs_action.insert(c.feedback().feedback_id());
        if (c.feedback().text().find("刹车失灵") != std::string::npos) crisis_feedback = c.feedback().feedback_id();
      } else if (m.topic == alerts) {
        ::feedbackloop::alerting::v1::AlertEvent a;
        ASSERT_TRUE(a.ParseFromString(m.value));
        if (a.type() == ::feedbackloop::alerting::v1::ALERT_EVENT_TYPE_RAISED) alerted.insert(a.alert().feedback_id());
      } else {
        wpb::TicketEvent e;
        ASSERT_TRUE(e.ParseFromString(m.value));
        if (e.type() == wpb::TICKET_EVENT_TYPE_CREATED) {
          for (const auto& f : e.ticket().feedback_ids()) tickets_of[f].insert(e.ticket_id());
        }
        priority_of[e.ticket_id()] = e.ticket().priority();
      }
    }
    // Done when everything is classified and ticketed, plus a moment for stragglers.
    if (settled == absl::InfiniteFuture() && classified_count.size() == texts.size() && !needs_action.empty() &&
        tickets_of.size() >= needs_action.size() && !crisis_feedback.empty() &&
        priority_of[*tickets_of[crisis_feedback].begin()] == ::feedbackloop::common::v1::PRIORITY_P0_CRITICAL) {
      settled = absl::Now() + absl::Seconds(2);
    }
  }
  (*reader)->Close();
  ASSERT_EQ(classified_count.size(), texts.size());
  for (const auto& [id, n] : classified_count) EXPECT_EQ(n, 1) << id;  // each classified once
  EXPECT_GE(needs_action.size(), 20u);  // the negative half at least
  for (const auto& id : needs_action) EXPECT_EQ(tickets_of[id].size(), 1u) << id;  // exactly one ticket
  // A ticket without needs_action comes from a red alert (the crisis wins).
  for (const auto& [id, ids] : tickets_of) {
    EXPECT_EQ(ids.size(), 1u) << id;
    EXPECT_TRUE(needs_action.contains(id) || alerted.contains(id)) << id;
  }
  ASSERT_FALSE(crisis_feedback.empty());
  ASSERT_EQ(tickets_of[crisis_feedback].size(), 1u);
  EXPECT_EQ(priority_of[*tickets_of[crisis_feedback].begin()], ::feedbackloop::common::v1::PRIORITY_P0_CRITICAL);
  std::printf("pipeline: %zu records classified once each, %zu needed action, %zu red alerts, %zu tickets, crisis at P0\n",
              classified_count.size(), needs_action.size(), alerted.size(), tickets_of.size());

  for (auto& s : services) EXPECT_EQ(s->Stop(), 0) << s->Log();  // SIGTERM drains cleanly
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace fbl::testing
