// Intake keeps going through a Kafka broker restart and a Redis restart in
// the middle of a stream: nothing lost, nothing accepted twice. These tests
// restart the shared test servers, so ctest runs them alone (RUN_SERIAL).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "feedback/v1/feedback.pb.h"
#include "libs/dataset/csv_reader.h"
#include "libs/kafka/consumer.h"
#include "libs/kafka/producer.h"
#include "tests/e2e/service_process.h"
#include "tests/integration/test_env.h"

namespace fbl::testing {
namespace {

namespace fpb = ::feedbackloop::feedback::v1;

void RunWithRestart(const std::string& component) {
  const auto dir = std::filesystem::temp_directory_path() / UniqueName("fault-" + component);
  std::filesystem::create_directories(dir);
  ASSERT_EQ(RunCommand(std::string(FBL_SOURCE_DIR) + "/scripts/keyring.sh " + (dir / "keyring").string()).first, 0);
  const std::string raw = CreateTopic("fault.raw", 3), accepted = CreateTopic("fault.accepted", 3),
                    rejected = CreateTopic("fault.rejected", 1);
  const std::string redis = RequireEnv("FBL_REDIS_ADDR");
  std::ofstream((dir / "intake.yaml").string())
      << "kafka_brokers: " << KafkaBrokers() << "\nredis: {port: " << redis.substr(redis.find(':') + 1)
      << ", reconnect_give_up_after: 30s}\n"
      << "consumer: {group_id: " << UniqueName("intake") << ", session_timeout: 6s}\n"
      << "topics: {raw: " << raw << ", accepted: " << accepted << ", rejected: " << rejected << "}\n"
      << "keyring_file: " << (dir / "keyring").string() << "\nretry_backoff: 200ms\n";

  auto table = dataset::ReadCsvFile(FBL_DATA_DIR "/waimai_10k.csv", 5000);
  ASSERT_TRUE(table.ok()) << table.status();
  const std::string source = UniqueName("fault-" + component);
  std::vector<fpb::FeedbackSubmission> subs;
  std::set<std::string> sent;
  for (size_t i = 0; i < table->rows.size() && subs.size() < 4000; ++i) {
    const std::string& text = table->rows[i].fields[1];
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) continue;
    fpb::FeedbackSubmission s;
    s.set_external_id("wm-" + std::to_string(i));
    s.set_source(source);
    s.set_channel(::feedbackloop::common::v1::CHANNEL_ONLINE_CHAT);
    s.set_customer_id("c" + std::to_string(i));
    s.set_text(text);
    sent.insert(s.external_id());
    subs.push_back(std::move(s));
  }

  ServiceProcess intake(FBL_INTAKE_BIN, {"--config", (dir / "intake.yaml").string()}, {}, dir.string());
  ASSERT_TRUE(intake.Start()) << intake.Log();
  // A connector keeps sending (~400/s for ~10 s) while the server restarts underneath.
  std::atomic<bool> produced_all{false};
  std::thread connector([&] {
    kafka::ProducerConfig pc;
    pc.brokers = KafkaBrokers();
    pc.message_timeout = absl::Seconds(120);  // outlives the restart
    auto producer = kafka::Producer::Create(pc);
    if (!producer.ok()) return;
    for (size_t i = 0; i < subs.size(); ++i) {
      while (!(*producer)->Produce({raw, subs[i].external_id(), subs[i].SerializeAsString(), {}}, nullptr).ok()) {
      }
      if (i % 40 == 39) absl::SleepFor(absl::Milliseconds(100));
    }
    produced_all = (*producer)->Flush(absl::Seconds(120)).ok();
  });
  absl::SleepFor(absl::Seconds(2));  // the stream is flowing
  auto [code, out] = RunCommand(std::string(FBL_SOURCE_DIR) + "/scripts/stack.sh restart " + component);
  ASSERT_EQ(code, 0) << out;
  connector.join();
  ASSERT_TRUE(produced_all.load());

  std::map<std::string, std::set<std::string>> ids;
  size_t records = 0;
  auto read_until = [&](size_t distinct, absl::Duration limit) {
    kafka::ConsumerConfig cc;
    cc.brokers = KafkaBrokers();
    cc.group_id = UniqueName("reader");
    cc.topics = {accepted};
    auto reader = kafka::Consumer::Create(cc);
    ASSERT_TRUE(reader.ok());
    ids.clear();
    records = 0;
    const absl::Time deadline = absl::Now() + limit;
    while (ids.size() < distinct && absl::Now() < deadline) {
      auto batch = (*reader)->Poll(1000, absl::Milliseconds(200));
      if (!batch.ok()) continue;
      for (const auto& m : *batch) {
        fpb::FeedbackRecord r;
        ASSERT_TRUE(r.ParseFromString(m.value));
        ids[r.external_id()].insert(r.feedback_id());
        ++records;
      }
    }
    (*reader)->Close();
  };
  read_until(sent.size(), absl::Seconds(180));
  std::printf("%s restart: %zu sent, %zu distinct accepted, %zu records read\n", component.c_str(), sent.size(),
              ids.size(), records);
  EXPECT_EQ(ids.size(), sent.size()) << "lost records\n" << intake.Log().substr(0, 4000);
  size_t multi = 0;
  for (const auto& [ext, set] : ids) multi += set.size() != 1;
  EXPECT_EQ(multi, 0u) << "external ids accepted under several feedback ids";
  EXPECT_EQ(intake.Stop(), 0);
  std::filesystem::remove_all(dir);
}

TEST(IntakeFaultE2eTest, KafkaBrokerRestartMidStream) { RunWithRestart("kafka"); }
TEST(IntakeFaultE2eTest, RedisRestartMidStream) { RunWithRestart("redis"); }

}  // namespace
}  // namespace fbl::testing
