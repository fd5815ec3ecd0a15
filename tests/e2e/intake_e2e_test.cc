// The intake binary end to end: configuration errors, health, reflection,
// metrics, the gRPC API through grpcurl, and a crash mid-stream.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "feedback/v1/feedback.pb.h"
#include "libs/dataset/csv_reader.h"
#include "libs/kafka/consumer.h"
#include "libs/kafka/producer.h"
#include "tests/e2e/service_process.h"
#include "tests/integration/test_env.h"

namespace fbl::testing {
namespace {

using ::testing::HasSubstr;
namespace pb = ::feedbackloop::feedback::v1;

std::string Grpcurl() {
  const char* g = std::getenv("FBL_GRPCURL");
  return g != nullptr ? g : "grpcurl";
}

class IntakeE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / UniqueName("intake-e2e");
    std::filesystem::create_directories(dir_);
    ASSERT_EQ(RunCommand(std::string(FBL_SOURCE_DIR) + "/scripts/keyring.sh " + (dir_ / "keyring").string()).first, 0);
    raw_ = CreateTopic("e2e.raw", 3);
    accepted_ = CreateTopic("e2e.accepted", 3);
    rejected_ = CreateTopic("e2e.rejected", 1);
    const std::string redis = RequireEnv("FBL_REDIS_ADDR");
    WriteConfig("intake.yaml", "server: {log_level: info}\n"
                               "kafka_brokers: " + KafkaBrokers() + "\n"
                               "redis: {port: " + redis.substr(redis.find(':') + 1) + "}\n"
                               "consumer: {group_id: " + UniqueName("intake") + ", session_timeout: 6s}\n"
                               "topics: {raw: " + raw_ + ", accepted: " + accepted_ + ", rejected: " + rejected_ + "}\n"
                               "keyring_file: " + (dir_ / "keyring").string() + "\n");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string WriteConfig(const std::string& name, const std::string& text) {
    std::ofstream((dir_ / name).string()) << text;
    return (dir_ / name).string();
  }

  std::unique_ptr<ServiceProcess> StartIntake() {
    auto p = std::make_unique<ServiceProcess>(
        FBL_INTAKE_BIN, std::vector<std::string>{"--config", (dir_ / "intake.yaml").string()},
        std::map<std::string, std::string>{}, dir_.string());
    EXPECT_TRUE(p->Start()) << p->Log();
    return p;
  }

  std::filesystem::path dir_;
  std::string raw_, accepted_, rejected_;
};

TEST_F(IntakeE2eTest, BadConfigurationStopsAtStartWithOneLineNamingKeyAndFile) {
  struct Case {
    std::string file_text;
    std::string expected;
  } cases[] = {
      {"kafka_brokrs: 127.0.0.1:1\n", "unknown key 'kafka_brokrs'"},
      {"consume_batch: many\n", "key 'consume_batch' must be an integer, got 'many'"},
      {"dedup: {replay_window: forever}\n", "key 'dedup.replay_window' must be a duration"},
  };
  for (const auto& c : cases) {
    const std::string path = WriteConfig("bad.yaml", c.file_text);
    auto [code, out] = RunCommand(std::string(FBL_INTAKE_BIN) + " --config " + path);
    EXPECT_EQ(code, 2) << out;
    EXPECT_THAT(out, HasSubstr(c.expected));
    EXPECT_THAT(out, HasSubstr(path));
    EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  }
  auto [code, out] = RunCommand(std::string(FBL_INTAKE_BIN) + " --config /nonexistent/intake.yaml");
  EXPECT_EQ(code, 2);
  EXPECT_THAT(out, HasSubstr("/nonexistent/intake.yaml: cannot read file"));
  auto [env_code, env_out] =
      RunCommand("FBL__REDIS__PROT=1 " + std::string(FBL_INTAKE_BIN) + " --config " + (dir_ / "intake.yaml").string());
  EXPECT_EQ(env_code, 2);
  EXPECT_THAT(env_out, HasSubstr("unknown key 'redis.prot' (from FBL__REDIS__PROT)"));
}

TEST_F(IntakeE2eTest, ServesHealthReflectionAndValidMetricsAndDrainsOnSigterm) {
  auto intake = StartIntake();
  const std::string addr = intake->grpc_address();
  auto [hc, health] = RunCommand(Grpcurl() + " -plaintext " + addr + " grpc.health.v1.Health/Check");
  EXPECT_EQ(hc, 0) << health;
  EXPECT_THAT(health, HasSubstr("SERVING"));
  auto [lc, list] = RunCommand(Grpcurl() + " -plaintext " + addr + " list");
  EXPECT_EQ(lc, 0) << list;
  EXPECT_THAT(list, HasSubstr("feedbackloop.intake.v1.IntakeService"));
  EXPECT_THAT(list, HasSubstr("grpc.health.v1.Health"));
  auto [dc, describe] = RunCommand(Grpcurl() + " -plaintext " + addr + " describe feedbackloop.intake.v1.IntakeService");
  EXPECT_EQ(dc, 0) << describe;
  EXPECT_THAT(describe, HasSubstr("SubmitFeedbackBatch"));

  const std::string metrics_url = "http://127.0.0.1:" + std::to_string(intake->metrics_port()) + "/metrics";
  auto [mc, metrics] = RunCommand("curl -sf " + metrics_url);
  ASSERT_EQ(mc, 0) << metrics;
  EXPECT_THAT(metrics, HasSubstr("process_resident_memory_bytes"));
  EXPECT_THAT(metrics, HasSubstr("intake_received_total"));
  auto [pc, promtool] = RunCommand("curl -sf " + metrics_url + " | promtool check metrics");
  EXPECT_EQ(pc, 0) << promtool;

  const int status = intake->Stop();
  ASSERT_TRUE(WIFEXITED(status)) << intake->Log();
  EXPECT_EQ(WEXITSTATUS(status), 0) << intake->Log();
  EXPECT_THAT(intake->Log(), HasSubstr("\"msg\":\"stopped\""));
}

TEST_F(IntakeE2eTest, SubmitThroughGrpcurlWithFieldLevelErrors) {
  auto intake = StartIntake();
  auto call = [&](const std::string& json) {
    return RunCommand("echo '" + json + "' | " + Grpcurl() + " -plaintext -d @ " + intake->grpc_address() +
                      " feedbackloop.intake.v1.IntakeService/SubmitFeedback");
  };
  // Real review text (ChnSentiCorp_htl_all.csv).
  auto [ok_code, ok_out] = call(
      R"({"submission":{"externalId":"cli-1","source":")" + UniqueName("e2e") + R"(","channel":"CHANNEL_API",
        "customerId":"u1","text":"房间设施陈旧，空调噪音很大，一晚上没睡好。"}})");
  EXPECT_EQ(ok_code, 0) << ok_out;
  EXPECT_THAT(ok_out, HasSubstr("OUTCOME_ACCEPTED"));
  auto [bad_code, bad_out] = call(R"({"submission":{"source":"e2e","channel":"CHANNEL_API"}})");
  EXPECT_NE(bad_code, 0);
  EXPECT_THAT(bad_out, HasSubstr("InvalidArgument"));
  EXPECT_THAT(bad_out, HasSubstr("submission.text"));
}

TEST_F(IntakeE2eTest, KilledMidStreamAndRestartedLosesAndDuplicatesNothing) {
  auto table = dataset::ReadCsvFile(FBL_DATA_DIR "/waimai_10k.csv", 6000);
  ASSERT_TRUE(table.ok()) << table.status();
  kafka::ProducerConfig pc;
  pc.brokers = KafkaBrokers();
  auto producer = kafka::Producer::Create(pc);
  ASSERT_TRUE(producer.ok());
  std::set<std::string> sent;
  const std::string source = UniqueName("e2e-crash");  // replay protection outlives a test run
  for (size_t i = 0; i < table->rows.size() && sent.size() < 5000; ++i) {
    const std::string& text = table->rows[i].fields[1];
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) continue;
    pb::FeedbackSubmission s;
    s.set_external_id("wm-" + std::to_string(i));
    s.set_source(source);
    s.set_channel(::feedbackloop::common::v1::CHANNEL_ONLINE_CHAT);
    s.set_customer_id("c" + std::to_string(i));
    s.set_text(text);
    ASSERT_TRUE((*producer)->Produce({raw_, s.external_id(), s.SerializeAsString(), {}}, nullptr).ok());
    sent.insert(s.external_id());
  }
  ASSERT_TRUE((*producer)->Flush(absl::Seconds(30)).ok());

  kafka::ConsumerConfig cc;
  cc.brokers = KafkaBrokers();
  cc.group_id = UniqueName("reader");
  cc.topics = {accepted_};
  auto reader = kafka::Consumer::Create(cc);
  ASSERT_TRUE(reader.ok());
  std::map<std::string, std::set<std::string>> ids_by_external;
  size_t records = 0;
  auto read_until = [&](size_t distinct, absl::Duration limit) {
    const absl::Time deadline = absl::Now() + limit;
    while (ids_by_external.size() < distinct && absl::Now() < deadline) {
      auto batch = (*reader)->Poll(1000, absl::Milliseconds(200));
      ASSERT_TRUE(batch.ok());
      for (const auto& m : *batch) {
        pb::FeedbackRecord r;
        ASSERT_TRUE(r.ParseFromString(m.value));
        ids_by_external[r.external_id()].insert(r.feedback_id());
        ++records;
      }
    }
  };

  auto intake = StartIntake();
  read_until(1000, absl::Seconds(60));
  ASSERT_GE(ids_by_external.size(), 1000u);
  intake->Kill();  // SIGKILL mid-stream: no drain, no commit
  const size_t before_restart = ids_by_external.size();
  auto restarted = StartIntake();
  read_until(sent.size(), absl::Seconds(120));
  // A further moment: nothing new may arrive.
  auto extra = (*reader)->Poll(1000, absl::Seconds(2));
  ASSERT_TRUE(extra.ok());
  for (const auto& m : *extra) {
    pb::FeedbackRecord r;
    ASSERT_TRUE(r.ParseFromString(m.value));
    ids_by_external[r.external_id()].insert(r.feedback_id());
    ++records;
  }
  std::printf("crash test: %zu sent, %zu accepted before the kill, %zu distinct after restart, %zu records read\n",
              sent.size(), before_restart, ids_by_external.size(), records);
  EXPECT_EQ(ids_by_external.size(), sent.size()) << "lost records";
  for (const auto& [ext, ids] : ids_by_external) {
    EXPECT_TRUE(sent.count(ext)) << ext;
    EXPECT_EQ(ids.size(), 1u) << ext << " got several feedback ids";
  }
  EXPECT_EQ(restarted->Stop(), 0);
}

TEST_F(IntakeE2eTest, BulkImportOfRealComplaintsIsSafeToRunTwice) {
  // A unique source: replay protection is per source and outlives a test run.
  const std::string mapping = WriteConfig("mapping.yaml",
                                          "source: " + UniqueName("blackcat-import") + "\n"
                                          "channel: CHANNEL_COMPLAINT_PLATFORM_BLACKCAT\n"
                                          "columns: {title: 投诉标题, text: 投诉详情, labels.company: 投诉对象}\n");
  auto intake = StartIntake();
  const std::string import = std::string(FBL_INTAKE_BIN) + " import --quiet --config " +
                             (dir_ / "intake.yaml").string() + " --mapping " + mapping + " --file " +
                             FBL_DATA_DIR "/blackcat_complaints.csv --report " + (dir_ / "rejects.csv").string();
  auto [first_code, first_out] = RunCommand(import);
  ASSERT_EQ(first_code, 0) << first_out;
  EXPECT_THAT(first_out, HasSubstr("104 rows"));
  auto [second_code, second_out] = RunCommand(import);
  ASSERT_EQ(second_code, 0) << second_out;

  // Every row went to feedback.raw.v1 twice; intake accepted each once.
  const std::string metrics_url = "http://127.0.0.1:" + std::to_string(intake->metrics_port()) + "/metrics";
  auto counter = [&](const std::string& outcome) {
    auto [code, out] = RunCommand("curl -sf " + metrics_url + " | grep '^intake_records_total{' | grep 'kafka' | grep '" +
                                  outcome + "' | awk '{print $2}'");
    return code == 0 && !out.empty() ? std::stod(out) : -1.0;
  };
  ASSERT_TRUE(WaitFor([&] { return counter("accepted") + counter("replay") + counter("rejected") >= 208; },
                      std::chrono::seconds(60)));
  EXPECT_EQ(counter("accepted") + counter("rejected"), 104);
  EXPECT_EQ(counter("replay"), counter("accepted"));
  EXPECT_GT(counter("accepted"), 90);
  std::printf("import twice: accepted %.0f, replays %.0f, rejected %.0f\n", counter("accepted"), counter("replay"),
              counter("rejected"));
}

}  // namespace
}  // namespace fbl::testing
