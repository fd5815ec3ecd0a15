// fbl, the command-line client, against the real service binaries (intake,
// classification, alerting, the notifier, workorder, and analytics when it is
// built) on the test Kafka and Redis: real complaints go in through fbl,
// tickets and alerts come out and are worked on through fbl, --json parses,
// usage errors exit 2 and an unreachable service exits 3. Every ```sh example
// block of docs/cli.md runs too and must exit 0, and so does every grpcurl
// ```sh example block of docs/api.md (or fails with its expect=CODE).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "libs/dataset/csv_reader.h"
#include "tests/e2e/service_process.h"
#include "tests/integration/notifier_http_receiver.h"
#include "tests/integration/test_env.h"

namespace fbl::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using Json = nlohmann::json;

struct Result {
  int rc = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs a shell command line with stdout and stderr captured apart.
Result Shell(const std::string& command, const fs::path& err_file) {
  Result r;
  FILE* p = popen((command + " 2>" + Quote(err_file.string())).c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) r.out.append(buf, n);
  const int status = pclose(p);
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.err = Slurp(err_file);
  return r;
}

// Every line of `out` as JSON; a line that does not parse fails the test.
std::vector<Json> JsonLines(const std::string& out) {
  std::vector<Json> lines;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    Json j = Json::parse(line, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << "not JSON: " << line;
    if (!j.is_discarded()) lines.push_back(std::move(j));
  }
  return lines;
}

// Polls `condition` every 200 ms (each try runs fbl) until it holds or `timeout` passes.
bool Eventually(const std::function<bool()>& condition, std::chrono::seconds timeout = std::chrono::seconds(60)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return condition();
}

// A loopback port nobody listens on.
int UnusedPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

// Real complaints from shared/data/blackcat_complaints.csv: title, text, company.
struct Complaint {
  std::string title, text, company;
};
std::vector<Complaint> BlackCat() {
  std::vector<Complaint> out;
  auto table = dataset::ReadCsvFile(std::string(FBL_DATA_DIR) + "/blackcat_complaints.csv");
  EXPECT_TRUE(table.ok()) << table.status();
  if (!table.ok()) return out;
  for (const auto& row : table->rows) out.push_back({row.fields[0], row.fields[1], row.fields[2]});
  return out;
}

// A real car complaint title with a brake failure (car_complaints.csv), which
// the red-alert rules page on.
constexpr char kBrakeFailure[] = "新宝骏RS-5刹车失灵 仪表盘上制动故障灯亮";

class CliE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() / UniqueName("cli-e2e"));
    for (const char* d : {"intake", "classification", "alerting", "notifier", "workorder", "analytics", "work"}) {
      fs::create_directories(*dir_ / d);
    }
    if (RunCommand(std::string(FBL_SOURCE_DIR) + "/scripts/keyring.sh " + (*dir_ / "keyring").string()).first != 0) {
      ADD_FAILURE() << "keyring.sh failed";
      return;
    }
    std::map<std::string, std::string> topics = {
        {"feedback.raw.v1", CreateTopic("cli.raw", 3)},
        {"feedback.accepted.v1", CreateTopic("cli.accepted", 3)},
        {"feedback.rejected.v1", CreateTopic("cli.rejected", 1)},
        {"feedback.classified.v1", CreateTopic("cli.classified", 3)},
        {"classification.corrections.v1", CreateTopic("cli.corrections", 1)},
        {"alerts.v1", CreateTopic("cli.alerts", 3)},
        {"tickets.events.v1", CreateTopic("cli.tickets", 3)},
        {"surveys.responses.v1", CreateTopic("cli.surveys", 1)},
    };
    const std::string redis = RequireEnv("FBL_REDIS_ADDR");
    redis_port_ = redis.substr(redis.find(':') + 1);
    const std::string common = "kafka_brokers: " + KafkaBrokers() + "\nredis: {port: " + redis_port_ + "}\n";
    const std::string src = FBL_SOURCE_DIR;
    auto t = [&](const char* name) { return topics.at(name); };
    std::ofstream(*dir_ / "intake.yaml") << common << "consumer: {group_id: " << UniqueName("intake") << "}\n"
                                         << "topics: {raw: " << t("feedback.raw.v1")
                                         << ", accepted: " << t("feedback.accepted.v1")
                                         << ", rejected: " << t("feedback.rejected.v1") << "}\n"
                                         << "keyring_file: " << (*dir_ / "keyring").string() << "\n";
    std::ofstream(*dir_ / "classification.yaml")
        << common << "consumer: {group_id: " << UniqueName("classification") << "}\n"
        << "redis_key_prefix: \"" << UniqueName("fbl:cli:classification") << ":\"\n"
        << "accepted_topic: " << t("feedback.accepted.v1") << "\nclassified_topic: " << t("feedback.classified.v1")
        << "\ncorrections_topic: " << t("classification.corrections.v1") << "\ntaxonomy_file: " << src
        << "/deploy/taxonomy/taxonomy.yaml\nsentiment_model: " << src << "/models/sentiment-zh.ftz\ntag_model: " << src
        << "/models/tags-zh.ftz\n";
    std::ofstream(*dir_ / "alerting.yaml") << common << "consumer: {group_id: " << UniqueName("alerting") << "}\n"
                                           << "redis_key_prefix: \"" << UniqueName("fbl:cli:alerting") << ":\"\n"
                                           << "accepted_topic: " << t("feedback.accepted.v1")
                                           << "\nalerts_topic: " << t("alerts.v1") << "\nrules_file: " << src
                                           << "/deploy/rules/red_alert.yaml\n";
    std::ofstream(*dir_ / "workorder.yaml") << common << "consumer: {group_id: " << UniqueName("workorder") << "}\n"
                                            << "redis_key_prefix: \"" << UniqueName("fbl:cli:workorder") << ":\"\n"
                                            << "classified_topic: " << t("feedback.classified.v1")
                                            << "\nalerts_topic: " << t("alerts.v1")
                                            << "\nsurveys_topic: " << t("surveys.responses.v1")
                                            << "\ntickets_topic: " << t("tickets.events.v1") << "\n";
    // The notifier pages two on-call people by webhook; the test receives the pages.
    pager_ = new HttpReceiver();
    std::ofstream(*dir_ / "notifier.yaml") << common << "consumer: {group_id: " << UniqueName("notifier") << "}\n"
                                           << "redis_key_prefix: \"" << UniqueName("fbl:cli:notifier") << ":\"\n"
                                           << "alerts_topic: " << t("alerts.v1") << "\n"
                                           << "people:\n"
                                           << "  - {id: li.na, name: 李娜, channels: [{type: webhook, address: \""
                                           << pager_->Url("/pages/li.na") << "\"}]}\n"
                                           << "  - {id: wang.wei, name: 王伟, channels: [{type: webhook, address: \""
                                           << pager_->Url("/pages/wang.wei") << "\"}]}\n"
                                           << "routes:\n  - {name: everyone, people: [li.na, wang.wei]}\n"
                                           << "channels:\n  webhook: {timeout: 5s, secret_file: "
                                           << (*dir_ / "webhook-secret").string() << "}\n";
    std::ofstream(*dir_ / "webhook-secret") << "cli-e2e-webhook-secret-0123456789\n";
    services_ = new std::map<std::string, std::unique_ptr<ServiceProcess>>();
    local_addresses_ = new std::map<std::string, std::string>();
    // name, binary, environment variable for fbl, local default address.
    struct Binary {
      std::string name, bin, env, local;
    };
    std::vector<Binary> binaries = {{"intake", FBL_INTAKE_BIN, "FBL_INTAKE_ADDR", "127.0.0.1:50051"},
                                    {"classification", FBL_CLASSIFICATION_BIN, "FBL_CLASSIFICATION_ADDR", "127.0.0.1:50052"},
                                    {"alerting", FBL_ALERTING_BIN, "FBL_ALERTING_ADDR", "127.0.0.1:50053"},
                                    {"notifier", FBL_NOTIFIER_BIN, "FBL_NOTIFIER_ADDR", "127.0.0.1:50054"},
                                    {"workorder", FBL_WORKORDER_BIN, "FBL_WORKORDER_ADDR", "127.0.0.1:50055"}};
#ifdef FBL_ANALYTICS_BIN
    binaries.push_back({"analytics", FBL_ANALYTICS_BIN, "FBL_ANALYTICS_ADDR", "127.0.0.1:50056"});
#endif
    std::map<std::string, std::string> addresses;  // local default -> the test's
    for (const auto& b : binaries) {
      // Analytics reads from the others (workorder for plans): its config comes last.
      if (b.name == "analytics" && !WriteAnalyticsConfig(topics, addresses)) continue;
      auto p = std::make_unique<ServiceProcess>(b.bin, std::vector<std::string>{"--config", (*dir_ / (b.name + ".yaml")).string()},
                                                std::map<std::string, std::string>{}, (*dir_ / b.name).string());
      if (!p->Start()) {
        ADD_FAILURE() << b.name << " did not start: " << p->Log();
        return;
      }
      setenv(b.env.c_str(), p->grpc_address().c_str(), 1);
      addresses[b.local] = p->grpc_address();
      (*local_addresses_)[b.local] = p->grpc_address();
      (*services_)[b.name] = std::move(p);
    }
    setenv("FBL_USER", "e2e-lead", 1);
    setenv("FBL_TZ", "Asia/Shanghai", 1);
    ready_ = true;
  }

  static void TearDownTestSuite() {
    if (services_ != nullptr) {
      for (auto& [name, p] : *services_) EXPECT_EQ(p->Stop(), 0) << name << ": " << p->Log();
      delete services_;
      services_ = nullptr;
    }
    delete local_addresses_;
    local_addresses_ = nullptr;
    delete pager_;
    pager_ = nullptr;
    if (dir_ != nullptr) {
      if (!::testing::UnitTest::GetInstance()->Failed()) fs::remove_all(*dir_);
      delete dir_;
      dir_ = nullptr;
    }
  }

  // Analytics takes its own config keys: the local config with every default
  // topic, broker, Redis port, listener and service address replaced by the
  // test's, and paths made absolute. False (analytics skipped) when there is
  // no local config.
  static bool WriteAnalyticsConfig(const std::map<std::string, std::string>& topics,
                                   const std::map<std::string, std::string>& addresses) {
    const fs::path local = fs::path(FBL_SOURCE_DIR) / "deploy/local/analytics.yaml";
    if (!fs::exists(local)) return false;
    YAML::Node config = YAML::LoadFile(local.string());
    std::function<void(YAML::Node, const std::string&)> rewrite = [&](YAML::Node node, const std::string& key) {
      if (node.IsMap()) {
        for (auto it = node.begin(); it != node.end(); ++it) rewrite(it->second, it->first.as<std::string>());
        return;
      }
      if (node.IsSequence()) {
        for (size_t i = 0; i < node.size(); ++i) rewrite(node[i], key);
        return;
      }
      if (!node.IsScalar()) return;
      const std::string v = node.as<std::string>();
      if (key == "grpc_listen" || key == "metrics_listen") {
        node = "127.0.0.1:0";
      } else if (key == "kafka_brokers" || key == "brokers") {
        node = KafkaBrokers();
      } else if (key == "port" && v == "16379") {
        node = redis_port_;
      } else if (key == "redis_key_prefix") {
        node = UniqueName("fbl:cli:analytics") + ":";
      } else if (key == "group_id") {
        node = UniqueName("analytics");
      } else if (topics.contains(v)) {
        node = topics.at(v);
      } else if (addresses.contains(v)) {
        node = addresses.at(v);
      } else if (!v.empty() && v[0] != '/' && v.find('/') != std::string::npos &&
                 fs::exists(fs::path(FBL_SOURCE_DIR) / v)) {
        node = (fs::path(FBL_SOURCE_DIR) / v).string();
      }
    };
    rewrite(config, "");
    YAML::Emitter out;
    out << config;
    std::ofstream(*dir_ / "analytics.yaml") << out.c_str() << "\n";
    return true;
  }

  void SetUp() override { ASSERT_TRUE(ready_) << "the services did not start"; }

  // Runs fbl with the given arguments (the addresses come from the environment).
  Result Fbl(const std::vector<std::string>& args) {
    std::string cmd = Quote(FBL_CLI_BIN);
    for (const auto& a : args) cmd += " " + Quote(a);
    return Shell(cmd, *dir_ / "work" / "stderr.txt");
  }

  // Submits a real complaint through fbl; returns the feedback id.
  std::string Submit(const Complaint& c, const std::string& customer) {
    Result r = Fbl({"feedback", "submit", "-q", "--channel", "complaint_platform_blackcat", "--customer-id", customer,
                    "--title", c.title, "--text", c.text, "--label", "company=" + c.company});
    EXPECT_EQ(r.rc, 0) << r.err;
    std::string id = r.out.substr(0, r.out.find('\n'));
    EXPECT_THAT(id, ::testing::MatchesRegex("[0-9a-f-]{36}")) << r.out;
    return id;
  }

  // The ticket that workorder opened for a feedback (empty if none within a minute).
  std::string WaitForTicket(const std::string& feedback_id) {
    std::string ticket;
    Eventually([&] {
      Result r = Fbl({"tickets", "list", "--json", "--limit", "0"});
      if (r.rc != 0) return false;
      for (const Json& t : JsonLines(r.out)) {
        for (const auto& f : t.value("feedbackIds", Json::array())) {
          if (f == feedback_id) ticket = t.value("ticketId", "");
        }
      }
      return !ticket.empty();
    });
    return ticket;
  }

  static fs::path* dir_;
  static std::map<std::string, std::unique_ptr<ServiceProcess>>* services_;
  static std::map<std::string, std::string>* local_addresses_;  // local default -> the test's
  static HttpReceiver* pager_;
  static std::string redis_port_;
  static bool ready_;
};

fs::path* CliE2eTest::dir_ = nullptr;
std::map<std::string, std::unique_ptr<ServiceProcess>>* CliE2eTest::services_ = nullptr;
std::map<std::string, std::string>* CliE2eTest::local_addresses_ = nullptr;
HttpReceiver* CliE2eTest::pager_ = nullptr;
std::string CliE2eTest::redis_port_;
bool CliE2eTest::ready_ = false;

TEST_F(CliE2eTest, SubmitShowAndImportRealComplaints) {
  const auto complaints = BlackCat();
  ASSERT_GE(complaints.size(), 104u);
  const std::string id = Submit(complaints[0], "bc-submit-0");

  Result show = Fbl({"feedback", "show", id});
  ASSERT_EQ(show.rc, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr(complaints[0].title));
  EXPECT_THAT(show.out, HasSubstr("complaint_platform_blackcat"));
  EXPECT_THAT(show.out, HasSubstr("company=" + complaints[0].company));
  Result json = Fbl({"feedback", "show", id, "--json"});
  ASSERT_EQ(json.rc, 0) << json.err;
  auto lines = JsonLines(json.out);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["record"]["feedbackId"], id);
  EXPECT_EQ(lines[0]["record"]["channel"], "CHANNEL_COMPLAINT_PLATFORM_BLACKCAT");
  EXPECT_EQ(lines[0]["record"]["title"], complaints[0].title);

  Result missing = Fbl({"feedback", "show", "01933b6e-8f2a-7c41-9d3e-5a7b2c1d0e9f"});
  EXPECT_EQ(missing.rc, 1);
  EXPECT_THAT(missing.err, HasSubstr("NOT_FOUND"));

  // The whole real Black Cat file in batches of 40 (three calls) ...
  const std::string source = UniqueName("blackcat-import");
  const std::vector<std::string> import = {"feedback",     "import",       std::string(FBL_DATA_DIR) + "/blackcat_complaints.csv",
                                           "--channel",    "complaint_platform_blackcat",
                                           "--source",     source,
                                           "--title-column", "投诉标题",  "--text-column", "投诉详情",
                                           "--label-column", "company=投诉对象", "--batch-size", "40"};
  Result first = Fbl(import);
  ASSERT_EQ(first.rc, 0) << first.err;
  EXPECT_THAT(first.err, HasSubstr("[104/104]"));
  EXPECT_THAT(first.out, ::testing::ContainsRegex("ROWS +ACCEPTED +REPLAY +NEAR-DUPLICATE +FAILED\n +104 +104 +0 +0 +0"))
      << first.out;
  // ... and again: derived external ids make every row a replay.
  std::vector<std::string> again = import;
  again.push_back("--json");
  Result second = Fbl(again);
  ASSERT_EQ(second.rc, 0) << second.err;
  int replays = 0, results = 0;
  for (const Json& batch : JsonLines(second.out)) {
    for (const Json& r : batch["results"]) {
      ++results;
      if (r["response"]["outcome"] == "OUTCOME_REPLAY") ++replays;
    }
  }
  EXPECT_EQ(results, 104);
  EXPECT_EQ(replays, 104);

  // JSONL with one good line (a real waimai review), one unknown field and one blank text.
  const fs::path jsonl = *dir_ / "work" / "mixed.jsonl";
  std::ofstream(jsonl) << "{\"customerId\": \"w-9\", \"text\": \"没有送水没有送水没有送水\"}\n"
                       << "{\"text\": \"很快，好吃，味道足，量大\", \"colour\": \"red\"}\n"
                       << "{\"text\": \"   \"}\n";
  Result mixed = Fbl({"feedback", "import", jsonl.string(), "--source", UniqueName("jsonl")});
  EXPECT_EQ(mixed.rc, 1);  // not everything went in
  EXPECT_THAT(mixed.err, HasSubstr("line 2: not a FeedbackSubmission"));
  EXPECT_THAT(mixed.err, HasSubstr("line 3: INVALID_ARGUMENT"));  // intake's verdict, with its reason
  EXPECT_THAT(mixed.out, ::testing::ContainsRegex(" +3 +1 +0 +0 +2"));

  // Whole-file problems are usage errors.
  EXPECT_EQ(Fbl({"feedback", "import", std::string(FBL_DATA_DIR) + "/blackcat_complaints.csv", "--text-column", "review"}).rc, 2);
  EXPECT_EQ(Fbl({"feedback", "import", (*dir_ / "work" / "nope.jsonl").string()}).rc, 2);
}

TEST_F(CliE2eTest, TicketIsCreatedListedAndWorkedOn) {
  const auto complaints = BlackCat();
  ASSERT_GT(complaints.size(), 7u);
  const std::string feedback = Submit(complaints[7], "bc-ticket-7");  // 退货不退款
  const std::string ticket = WaitForTicket(feedback);
  ASSERT_FALSE(ticket.empty()) << "no ticket for " << feedback;

  Result list = Fbl({"tickets", "list", "--limit", "0"});
  ASSERT_EQ(list.rc, 0) << list.err;
  EXPECT_THAT(list.out, ::testing::StartsWith("TICKET "));
  EXPECT_THAT(list.out, HasSubstr(ticket));

  Result show = Fbl({"tickets", "show", ticket});
  ASSERT_EQ(show.rc, 0) << show.err;
  EXPECT_THAT(show.out, ::testing::ContainsRegex("state: +pending"));
  EXPECT_THAT(show.out, HasSubstr(feedback));

  // Illegal move: exit 1 with the allowed states.
  Result illegal = Fbl({"tickets", "transition", ticket, "--to", "done"});
  EXPECT_EQ(illegal.rc, 1);
  EXPECT_THAT(illegal.err, HasSubstr("FAILED_PRECONDITION"));
  EXPECT_THAT(illegal.err, HasSubstr("in_progress"));

  Result start = Fbl({"tickets", "transition", ticket, "--to", "IN-PROGRESS", "--note", "called the customer back"});
  ASSERT_EQ(start.rc, 0) << start.err;
  EXPECT_THAT(start.out, HasSubstr("state in_progress"));

  Result in_progress = Fbl({"tickets", "list", "--state", "in_progress", "--json", "--limit", "0"});
  ASSERT_EQ(in_progress.rc, 0) << in_progress.err;
  bool found = false;
  for (const Json& t : JsonLines(in_progress.out)) {
    EXPECT_EQ(t["state"], "TICKET_STATE_IN_PROGRESS");
    if (t["ticketId"] == ticket) found = true;
  }
  EXPECT_TRUE(found);

  // A stale expected version changes nothing.
  Result stale = Fbl({"tickets", "transition", ticket, "--to", "pending", "--expected-version", "1"});
  EXPECT_EQ(stale.rc, 1);
  EXPECT_THAT(stale.err, HasSubstr("ABORTED"));

  EXPECT_EQ(Fbl({"tickets", "assign", ticket}).rc, 2);  // neither --to nor --auto
  EXPECT_EQ(Fbl({"tickets", "assign", ticket, "--to", "x", "--auto"}).rc, 2);
  Result assign = Fbl({"tickets", "assign", ticket, "--to", "agent-e2e"});
  ASSERT_EQ(assign.rc, 0) << assign.err;
  Result comment = Fbl({"tickets", "comment", ticket, "--text", "商家已联系，退款处理中"});  // hand-written note
  ASSERT_EQ(comment.rc, 0) << comment.err;

  Result after = Fbl({"tickets", "show", ticket, "--json"});
  ASSERT_EQ(after.rc, 0);
  auto t = JsonLines(after.out);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0]["assignee"], "agent-e2e");
  EXPECT_EQ(t[0]["state"], "TICKET_STATE_IN_PROGRESS");

  Result audit = Fbl({"tickets", "audit", ticket, "--json"});
  ASSERT_EQ(audit.rc, 0) << audit.err;
  std::set<std::string> actions;
  for (const Json& e : JsonLines(audit.out)) {
    if (e["actor"] == "e2e-lead") actions.insert(e["action"].get<std::string>());
  }
  EXPECT_TRUE(actions.contains("transition")) << audit.out;
  EXPECT_TRUE(actions.contains("assign")) << audit.out;
  EXPECT_TRUE(actions.contains("comment")) << audit.out;
  Result table = Fbl({"tickets", "audit", ticket});
  EXPECT_THAT(table.out, HasSubstr("called the customer back"));
}

TEST_F(CliE2eTest, RedAlertIsAcknowledgedAndResolved) {
  Result submitted = Fbl({"feedback", "submit", "-q", "--channel", "complaint_platform_other", "--customer-id",
                          "car-3", "--text", kBrakeFailure});
  ASSERT_EQ(submitted.rc, 0) << submitted.err;
  const std::string feedback = submitted.out.substr(0, submitted.out.find('\n'));
  const std::string alert = "ra-" + feedback;
  ASSERT_TRUE(Eventually([&] {
    Result r = Fbl({"alerts", "list", "--state", "open", "--kind", "red_alert", "-q", "--limit", "0"});
    return r.rc == 0 && r.out.find(alert) != std::string::npos;
  })) << "no open red alert " << alert;

  Result show = Fbl({"alerts", "show", alert});
  ASSERT_EQ(show.rc, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("刹车失灵"));
  EXPECT_THAT(show.out, ::testing::ContainsRegex("severity: +sev1_critical"));

  Result ack = Fbl({"alerts", "ack", alert, "--note", "calling the customer now"});
  ASSERT_EQ(ack.rc, 0) << ack.err;
  EXPECT_THAT(ack.out, HasSubstr("acknowledged by e2e-lead"));
  Result acknowledged = Fbl({"alerts", "list", "--state", "acknowledged", "--json", "--limit", "0"});
  bool listed = false;
  for (const Json& a : JsonLines(acknowledged.out)) {
    EXPECT_EQ(a["state"], "ALERT_STATE_ACKNOWLEDGED");
    if (a["alertId"] == alert) listed = a["acknowledgedBy"] == "e2e-lead";
  }
  EXPECT_TRUE(listed);
  ASSERT_EQ(Fbl({"alerts", "contact", alert}).rc, 0);
  Result resolve = Fbl({"alerts", "resolve", alert, "--resolution", "car towed to the dealer"});
  ASSERT_EQ(resolve.rc, 0) << resolve.err;
  EXPECT_THAT(resolve.out, HasSubstr("state resolved"));
  Result twice = Fbl({"alerts", "resolve", alert});
  EXPECT_EQ(twice.rc, 1);
  EXPECT_THAT(twice.err, HasSubstr("FAILED_PRECONDITION"));

  // Workorder opened the P0 ticket for it.
  EXPECT_TRUE(Eventually([&] {
    Result r = Fbl({"tickets", "list", "--priority", "p0", "--json", "--limit", "0"});
    for (const Json& t : JsonLines(r.out)) {
      if (t.value("alertId", "") == alert) return true;
    }
    return false;
  }));
}

TEST_F(CliE2eTest, ClassifyAndCorrect) {
  Result dry = Fbl({"classify", "--json", "--text", kBrakeFailure});
  ASSERT_EQ(dry.rc, 0) << dry.err;
  auto j = JsonLines(dry.out);
  ASSERT_EQ(j.size(), 1u);
  ASSERT_FALSE(j[0]["tags"].empty());
  EXPECT_EQ(j[0]["tags"][0]["level"], "TAG_LEVEL_L1");
  EXPECT_TRUE(j[0]["needsAction"].is_boolean());
  Result table = Fbl({"classify", "--text", kBrakeFailure});
  ASSERT_EQ(table.rc, 0);
  EXPECT_THAT(table.out, ::testing::ContainsRegex("needs action: +(yes|no)"));
  EXPECT_THAT(table.out, ::testing::ContainsRegex("LEVEL +TAG +NAME"));
  Result empty = Fbl({"classify", "--text", ""});
  EXPECT_EQ(empty.rc, 1);
  EXPECT_THAT(empty.err, HasSubstr("INVALID_ARGUMENT"));

  const auto complaints = BlackCat();
  const std::string feedback = Submit(complaints[0], "bc-correct-0");  // 拼多多天天领红包虚假
  Result correct = Fbl({"classification", "correct", feedback, "--tag", "complaint", "--tag", "platform", "--tag",
                        "platform.false_advertising", "--by", "qa-wang", "--wait", "60s"});
  ASSERT_EQ(correct.rc, 0) << correct.err;
  EXPECT_THAT(correct.out, HasSubstr("by qa-wang"));
  Result corrections = Fbl({"classification", "corrections", "--json", "--limit", "0"});
  ASSERT_EQ(corrections.rc, 0) << corrections.err;
  bool found = false;
  for (const Json& c : JsonLines(corrections.out)) {
    if (c["feedbackId"] == feedback) {
      found = true;
      EXPECT_EQ(c["correctedBy"], "qa-wang");
      EXPECT_EQ(c["tags"].size(), 3u);
    }
  }
  EXPECT_TRUE(found);
  Result bad = Fbl({"classification", "correct", feedback, "--tag", "platform.no_such_problem"});
  EXPECT_EQ(bad.rc, 1);
  EXPECT_THAT(bad.err, HasSubstr("INVALID_ARGUMENT"));
  Result info = Fbl({"classification", "info"});
  ASSERT_EQ(info.rc, 0) << info.err;
  EXPECT_THAT(info.out, HasSubstr("taxonomy:"));
}

TEST_F(CliE2eTest, UsageErrorsExit2AndEveryCommandHasHelp) {
  EXPECT_EQ(Fbl({}).rc, 2);
  EXPECT_EQ(Fbl({"bogus"}).rc, 2);
  EXPECT_EQ(Fbl({"tickets"}).rc, 2);
  Result state = Fbl({"tickets", "list", "--state", "nowhere"});
  EXPECT_EQ(state.rc, 2);
  EXPECT_THAT(state.out + state.err, HasSubstr("in_progress"));
  EXPECT_EQ(Fbl({"tickets", "list", "--limit", "many"}).rc, 2);
  EXPECT_EQ(Fbl({"tickets", "transition", "t1"}).rc, 2);  // --to is required
  EXPECT_EQ(Fbl({"analytics", "top", "--last", "7x"}).rc, 2);
  EXPECT_EQ(Fbl({"analytics", "top", "--last", "7d", "--from", "2026-11-01"}).rc, 2);
  EXPECT_EQ(Fbl({"analytics", "compare", "--metric", "csat", "--before", "2026-11-05..2026-11-01", "--after", "7d"}).rc, 2);
  EXPECT_EQ(Fbl({"--timeout", "soon", "tickets", "list"}).rc, 2);
  EXPECT_EQ(Fbl({"--tz", "Mars/Olympus", "tickets", "list"}).rc, 2);
  EXPECT_EQ(Fbl({"feedback", "submit", "--text", "x", "--label", "nokey"}).rc, 2);
  EXPECT_EQ(Fbl({"privacy", "erase", "c_123", "--reason", "r"}).rc, 2);  // not a pseudonym
  EXPECT_EQ(Fbl({"privacy", "erase", "c_0123456789abcdef0123456789abcdef"}).rc, 2);  // --reason is required
  for (const std::vector<std::string>& cmd : std::vector<std::vector<std::string>>{
           {}, {"feedback", "submit"}, {"feedback", "import"}, {"feedback", "show"}, {"tickets", "list"},
           {"tickets", "show"}, {"tickets", "create"}, {"tickets", "transition"}, {"tickets", "assign"},
           {"tickets", "comment"}, {"tickets", "audit"}, {"alerts", "list"}, {"alerts", "show"}, {"alerts", "ack"},
           {"alerts", "resolve"}, {"alerts", "contact"}, {"analytics", "top"}, {"analytics", "trend"},
           {"analytics", "distribution"}, {"analytics", "kpis"}, {"analytics", "keywords"},
           {"analytics", "satisfaction"}, {"analytics", "correlation"}, {"analytics", "compare"},
           {"analytics", "report"}, {"classify"}, {"classification", "correct"}, {"classification", "corrections"},
           {"classification", "topics"}, {"classification", "info"}, {"privacy", "erase"},
           {"privacy", "rotate-keys"}}) {
    std::vector<std::string> args = cmd;
    args.push_back("--help");
    Result r = Fbl(args);
    EXPECT_EQ(r.rc, 0) << ::testing::PrintToString(cmd);
    EXPECT_THAT(r.out, HasSubstr("Usage:")) << ::testing::PrintToString(cmd);
  }
}

TEST_F(CliE2eTest, UnreachableServiceExits3AndFlagsBeatEnvironment) {
  const std::string nowhere = "127.0.0.1:" + std::to_string(UnusedPort());
  Result r = Fbl({"--workorder-addr", nowhere, "tickets", "list"});
  EXPECT_EQ(r.rc, 3);
  EXPECT_THAT(r.err, HasSubstr("cannot reach workorder at " + nowhere));
  EXPECT_EQ(Fbl({"tickets", "--addr", nowhere, "list"}).rc, 3);
  Result env = Shell("FBL_INTAKE_ADDR=" + nowhere + " " + Quote(FBL_CLI_BIN) + " feedback show x",
                     *dir_ / "work" / "stderr.txt");
  EXPECT_EQ(env.rc, 3);
  EXPECT_THAT(env.err, HasSubstr("FBL_INTAKE_ADDR"));
  // The flag wins over the environment.
  const char* good = std::getenv("FBL_WORKORDER_ADDR");
  ASSERT_NE(good, nullptr);
  Result flag = Shell("FBL_WORKORDER_ADDR=" + nowhere + " " + Quote(FBL_CLI_BIN) + " --workorder-addr " + good +
                          " tickets list --limit 1",
                      *dir_ / "work" / "stderr.txt");
  EXPECT_EQ(flag.rc, 0) << flag.err;
}

TEST_F(CliE2eTest, AnalyticsAnswersAndWritesTheReport) {
#ifndef FBL_ANALYTICS_BIN
  GTEST_SKIP() << "the analytics binary is not built yet";
#else
  if (!services_->contains("analytics")) GTEST_SKIP() << "no deploy/local/analytics.yaml";
  const auto complaints = BlackCat();
  Submit(complaints[1], "bc-analytics-1");
  ASSERT_TRUE(Eventually([&] {
    Result r = Fbl({"analytics", "distribution", "--by", "channel", "--last", "1d", "--json"});
    if (r.rc != 0) return false;
    auto j = JsonLines(r.out);
    return j.size() == 1 && std::stoll(j[0].value("total", std::string("0"))) > 0;
  })) << "analytics counted nothing";
  Result top = Fbl({"analytics", "top", "--last", "1d", "-n", "3", "--json"});
  ASSERT_EQ(top.rc, 0) << top.err;
  EXPECT_LE(JsonLines(top.out).size(), 3u);
  const fs::path html = *dir_ / "work" / "weekly.html";
  Result report = Fbl({"analytics", "report", "--kind", "weekly", "--out", html.string(), "--last", "7d"});
  ASSERT_EQ(report.rc, 0) << report.err;
  EXPECT_THAT(Slurp(html), HasSubstr("<html"));
  EXPECT_FALSE(Json::parse(Slurp(fs::path(html).replace_extension(".json")), nullptr, false).is_discarded());
#endif
}

// Every ```sh example block of docs/cli.md, run as its own bash script with
// `set -euo pipefail`, fbl on the PATH and the test's addresses.
TEST_F(CliE2eTest, DocExamplesRun) {
  // The ticket examples work on a pending ticket; make sure there is one.
  const auto complaints = BlackCat();
  ASSERT_FALSE(WaitForTicket(Submit(complaints[9], "bc-docs-9")).empty());

  std::ifstream doc(fs::path(FBL_SOURCE_DIR) / "docs/cli.md");
  ASSERT_TRUE(doc) << "docs/cli.md";
  std::vector<std::string> blocks;
  std::string line, block;
  bool in_block = false;
  while (std::getline(doc, line)) {
    if (!in_block && line == "```sh example") {
      in_block = true;
      block.clear();
    } else if (in_block && line == "```") {
      in_block = false;
      blocks.push_back(block);
    } else if (in_block) {
      block += line + "\n";
    }
  }
  ASSERT_FALSE(in_block) << "unterminated example block";
  ASSERT_GE(blocks.size(), 10u);
#ifdef FBL_ANALYTICS_BIN
  const bool analytics = services_->contains("analytics");
#else
  const bool analytics = false;
#endif
  const fs::path work = *dir_ / "work" / "docs";
  fs::create_directories(work);
  const std::string path = fs::path(FBL_CLI_BIN).parent_path().string() + ":" + std::getenv("PATH");
  int ran = 0, skipped = 0;
  for (size_t i = 0; i < blocks.size(); ++i) {
    if (!analytics && blocks[i].find("fbl analytics") != std::string::npos) {
      ++skipped;
      continue;
    }
    const fs::path script = work / ("example-" + std::to_string(i) + ".sh");
    std::ofstream(script) << "set -euo pipefail\n" << blocks[i];
    Result r = Shell("cd " + Quote(work.string()) + " && PATH=" + Quote(path) + " bash " + Quote(script.string()),
                     work / "stderr.txt");
    EXPECT_EQ(r.rc, 0) << "docs/cli.md example " << i << ":\n" << blocks[i] << "stdout:\n" << r.out << "stderr:\n" << r.err;
    ++ran;
  }
  std::printf("docs/cli.md: %d examples ran, %d skipped (analytics not running)\n", ran, skipped);
}


// grpcurl, from $FBL_GRPCURL (scripts/test.sh) or where scripts/test-tools.sh
// installs it; empty when neither exists.
std::string Grpcurl() {
  if (const char* env = std::getenv("FBL_GRPCURL"); env != nullptr && *env != '\0') return env;
  const char* home = std::getenv("HOME");
  if (home == nullptr) return "";
  const fs::path cached = fs::path(home) / ".cache/feedbackloop/bin/grpcurl";
  return access(cached.c_str(), X_OK) == 0 ? cached.string() : "";
}

// A gRPC status code by name ("NOT_FOUND"): its number and how grpcurl
// prints it ("NotFound"); -1 for an unknown name.
std::pair<int, std::string> GrpcCode(const std::string& name) {
  static const std::vector<std::string> kNames = {
      "OK",      "CANCELLED",          "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
      "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
      "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"};
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] != name) continue;
    std::string camel;
    bool upper = true;
    for (char c : name) {
      if (c == '_') {
        upper = true;
      } else {
        camel += upper ? c : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        upper = false;
      }
    }
    return {static_cast<int>(i), camel};
  }
  return {-1, ""};
}

// Every ```sh example block of docs/api.md (grpcurl against each service), run
// as its own bash script with `set -euo pipefail`, grpcurl on the PATH and the
// local addresses (127.0.0.1:50051 …) replaced by the test's. A block opened
// with "```sh example expect=CODE" must fail with that gRPC status: grpcurl
// exits with 64 + the code and prints "Code: <Name>".
TEST_F(CliE2eTest, ApiDocExamplesRun) {
  const std::string grpcurl = Grpcurl();
  if (grpcurl.empty()) GTEST_SKIP() << "no grpcurl: run scripts/test-tools.sh or set FBL_GRPCURL";

  struct Example {
    std::string section, expect, code;
    int line = 0;
  };
  std::ifstream doc(fs::path(FBL_SOURCE_DIR) / "docs/api.md");
  ASSERT_TRUE(doc) << "docs/api.md";
  std::vector<Example> examples;
  std::string line, section;
  bool in_block = false;
  for (int n = 1; std::getline(doc, line); ++n) {
    if (!in_block && line.rfind("## ", 0) == 0) {
      section = line.substr(3);
    } else if (!in_block && (line == "```sh example" || line.rfind("```sh example expect=", 0) == 0)) {
      in_block = true;
      examples.push_back({section, line.size() > 13 ? line.substr(21) : "", "", n});
    } else if (in_block && line == "```") {
      in_block = false;
    } else if (in_block) {
      examples.back().code += line + "\n";
    }
  }
  ASSERT_FALSE(in_block) << "unterminated example block";
  ASSERT_GE(examples.size(), 25u);

#ifdef FBL_ANALYTICS_BIN
  const bool analytics = services_->contains("analytics");
#else
  const bool analytics = false;
#endif
  // What the examples work on: an open red alert (a real car complaint title)
  // whose pages the notifier has sent, and feedback analytics has counted.
  Result submitted = Fbl({"feedback", "submit", "-q", "--channel", "complaint_platform_other", "--customer-id",
                          "car-api-docs", "--text", "猎豹CS10车辆自燃要求立刻解决问题"});
  ASSERT_EQ(submitted.rc, 0) << submitted.err;
  const std::string alert = "ra-" + submitted.out.substr(0, submitted.out.find('\n'));
  ASSERT_TRUE(Eventually([&] {
    Result r = Fbl({"alerts", "list", "--state", "open", "--kind", "red_alert", "-q", "--limit", "0"});
    return r.rc == 0 && r.out.find(alert) != std::string::npos;
  })) << "no open red alert " << alert;
  // Sent, or grouped into a storm summary when the suite has raised many alerts.
  const std::string deliveries = Quote(grpcurl) + " -plaintext -d " + Quote("{\"alertId\": \"" + alert + "\"}") + " " +
                                 (*services_)["notifier"]->grpc_address() +
                                 " feedbackloop.alerting.v1.NotifierService/ListDeliveries";
  ASSERT_TRUE(Eventually([&] {
    Result r = Shell(deliveries, *dir_ / "work" / "stderr.txt");
    return r.rc == 0 && r.out.find("\"delivery_id\"") != std::string::npos;
  })) << "the notifier has no deliveries for " << alert << ": " << (*services_)["notifier"]->Log();
  if (analytics) {
    ASSERT_TRUE(Eventually([&] {
      Result r = Fbl({"analytics", "distribution", "--by", "channel", "--last", "1d", "--json"});
      if (r.rc != 0) return false;
      auto j = JsonLines(r.out);
      return j.size() == 1 && std::stoll(j[0].value("total", std::string("0"))) > 0;
    })) << "analytics counted nothing";
  }

  const fs::path work = *dir_ / "work" / "api-docs";
  fs::create_directories(work);
  const std::string path = fs::path(grpcurl).parent_path().string() + ":" + std::getenv("PATH");
  int ran = 0, errors = 0, skipped = 0;
  std::map<std::string, int> per_address;  // local address -> examples run against it
  std::set<std::string> health_checked, listed, analytics_rpcs;
  for (const Example& e : examples) {
    const std::string where = "docs/api.md:" + std::to_string(e.line) + " (" + e.section + ")";
    if (!analytics && e.code.find("127.0.0.1:50056") != std::string::npos) {
      ++skipped;
      continue;
    }
    std::string code = e.code;
    for (const auto& [local, actual] : *local_addresses_) {
      if (code.find(local) == std::string::npos) continue;
      ++per_address[local];
      if (code.find(local + " list\n") != std::string::npos) listed.insert(local);
      if (code.find(local + " grpc.health.v1.Health/Check") != std::string::npos) health_checked.insert(local);
      for (size_t at; (at = code.find(local)) != std::string::npos;) code.replace(at, local.size(), actual);
    }
    EXPECT_EQ(code.find("127.0.0.1:5005"), std::string::npos) << where << ": an address the test does not serve";
    for (size_t at = 0; (at = code.find("AnalyticsService/", at)) != std::string::npos;) {
      at += 17;
      analytics_rpcs.insert(code.substr(at, code.find_first_of(" \n<", at) - at));
    }
    const fs::path script = work / ("example-" + std::to_string(e.line) + ".sh");
    std::ofstream(script) << "set -euo pipefail\n" << code;
    Result r = Shell("cd " + Quote(work.string()) + " && PATH=" + Quote(path) + " bash " + Quote(script.string()),
                     work / "stderr.txt");
    const std::string shown = e.code + "stdout:\n" + r.out + "stderr:\n" + r.err;
    if (e.expect.empty()) {
      EXPECT_EQ(r.rc, 0) << where << ":\n" << shown;
    } else {
      const auto [number, name] = GrpcCode(e.expect);
      ASSERT_GT(number, 0) << where << ": unknown status code " << e.expect;
      EXPECT_EQ(r.rc, 64 + number) << where << " should fail with " << e.expect << ":\n" << shown;
      EXPECT_THAT(r.err, HasSubstr("Code: " + name)) << where;
      ++errors;
    }
    ++ran;
  }
  // Every running service has its list and health examples and a few calls.
  for (const auto& [local, actual] : *local_addresses_) {
    EXPECT_TRUE(listed.contains(local)) << "no `grpcurl -plaintext " << local << " list` example";
    EXPECT_TRUE(health_checked.contains(local)) << "no health check example for " << local;
    EXPECT_GE(per_address[local], 3) << "too few examples for " << local;
  }
  if (analytics) {
    for (const char* rpc : {"GetDistribution", "GetTopProblems", "GetTrend", "GetKeywords", "GetSatisfaction",
                            "GetServiceKpis", "GetCorrelation", "CompareMetric", "GenerateReport"}) {
      EXPECT_TRUE(analytics_rpcs.contains(rpc)) << "no example for AnalyticsService/" << rpc;
    }
    EXPECT_THAT(Slurp(work / "weekly.html"), HasSubstr("<html"));
  }
  std::printf("docs/api.md: %d examples ran (%d of them expected errors), %d skipped (analytics not built)\n",
              ran, errors, skipped);
}

}  // namespace
}  // namespace fbl::testing
