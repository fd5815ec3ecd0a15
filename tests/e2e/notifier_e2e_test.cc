// The real notifier binary against the real Kafka and Redis, a local HTTP
// receiver (webhooks) and a real SMTP server (aiosmtpd from PyPI, installed
// by scripts/test-tools.sh).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <set>

#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include "absl/strings/escaping.h"
#include "alerting/v1/alerting.pb.h"
#include "alerting/v1/notifier.grpc.pb.h"
#include "libs/kafka/producer.h"
#include "services/notifier/signature.h"
#include "tests/e2e/service_process.h"
#include "tests/integration/notifier_http_receiver.h"
#include "tests/integration/test_env.h"

namespace fbl::testing {
namespace {

namespace apb = ::feedbackloop::alerting::v1;
using ::testing::HasSubstr;

constexpr char kSecret[] = "e2e-webhook-secret-0123456789";

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

bool Accepts(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

// aiosmtpd writing every message into a maildir.
class SmtpServer {
 public:
  explicit SmtpServer(std::filesystem::path maildir) : maildir_(std::move(maildir)), port_(FreePort()) {
    const std::string listen = "127.0.0.1:" + std::to_string(port_);
    std::vector<std::string> args = {"python3", "-m", "aiosmtpd", "-n", "-l", listen,
                                     "-c", "aiosmtpd.handlers.Mailbox", maildir_.string()};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawnp(&pid_, "python3", nullptr, nullptr, argv.data(), environ) != 0) pid_ = -1;
  }
  ~SmtpServer() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  bool WaitReady() { return pid_ > 0 && WaitFor([&] { return Accepts(port_); }); }
  int port() const { return port_; }
  std::vector<std::string> Messages() const {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& f : std::filesystem::directory_iterator(maildir_ / "new", ec)) {
      std::ifstream in(f.path());
      out.emplace_back((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    }
    return out;
  }

 private:
  std::filesystem::path maildir_;
  int port_;
  pid_t pid_ = -1;
};

apb::AlertEvent Raised(const std::string& alert_id, const std::string& group_key) {
  apb::AlertEvent e;
  e.set_event_id(alert_id + ":raised");
  e.set_type(apb::ALERT_EVENT_TYPE_RAISED);
  e.set_actor("system");
  e.mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(absl::Now()));
  apb::Alert* a = e.mutable_alert();
  a->set_alert_id(alert_id);
  a->set_kind(apb::ALERT_KIND_RED_ALERT);
  a->set_category(apb::ALERT_CATEGORY_INJURY_HEALTH);
  a->set_severity(apb::SEVERITY_SEV1_CRITICAL);
  a->set_feedback_id("fb-" + alert_id);
  a->set_summary("[injury_health/sev1] 孩子吃了之后食物中毒住院了");
  a->set_group_key(group_key);
  return e;
}

class NotifierE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / UniqueName("notifier-e2e");
    std::filesystem::create_directories(dir_ / "notifier");
    smtp_ = std::make_unique<SmtpServer>(dir_ / "mail");
    ASSERT_TRUE(smtp_->WaitReady()) << "aiosmtpd did not start: run scripts/test-tools.sh";
    topic_ = CreateTopic("e2e.alerts", 3);
    kafka::ProducerConfig pc;
    pc.brokers = KafkaBrokers();
    auto producer = kafka::Producer::Create(pc);
    ASSERT_TRUE(producer.ok());
    producer_ = std::move(*producer);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<ServiceProcess> Notifier(const std::string& extra_yaml) {
    const std::string redis = RequireEnv("FBL_REDIS_ADDR");
    const std::string path = (dir_ / "notifier.yaml").string();
    std::ofstream(path) << "kafka_brokers: " << KafkaBrokers() << "\n"
                        << "redis: {port: " << redis.substr(redis.find(':') + 1) << "}\n"
                        << "consumer: {group_id: " << UniqueName("notifier") << ", session_timeout: 6s}\n"
                        << "redis_key_prefix: \"" << UniqueName("fbl:e2e:notifier") << ":\"\n"
                        << "alerts_topic: " << topic_ << "\n"
                        << "people:\n"
                        << "  - {id: li, name: 李娜, channels: [{type: webhook, address: \""
                        << receiver_.Url("/hook/li") << "\"}]}\n"
                        << "  - {id: wang, channels: [{type: webhook, address: \"" << receiver_.Url("/hook/wang")
                        << "\"}]}\n"
                        << "  - {id: boss, channels: [{type: email, address: boss@example.com}]}\n"
                        << "routes:\n  - {name: everyone, people: [li, wang, boss]}\n"
                        << "channels:\n"
                        << "  webhook: {timeout: 5s}\n"
                        << "  email: {smtp_url: \"smtp://127.0.0.1:" << smtp_->port()
                        << "\", from: notifier@feedbackloop.test, timeout: 5s}\n"
                        << extra_yaml;
    const std::map<std::string, std::string> env = {{"FBL_NOTIFIER_WEBHOOK_SECRET", kSecret}};
    return std::make_unique<ServiceProcess>(FBL_NOTIFIER_BIN, std::vector<std::string>{"--config", path}, env,
                                            (dir_ / "notifier").string());
  }

  void Produce(const apb::AlertEvent& e) {
    ASSERT_TRUE(producer_->ProduceSync({topic_, e.alert().alert_id(), e.SerializeAsString(),
                                        {{kafka::kSchemaHeader, e.GetTypeName()}}})
                    .ok());
  }

  static std::map<std::string, apb::Delivery> Deliveries(const ServiceProcess& p, const std::string& alert_id) {
    auto stub =
        apb::NotifierService::NewStub(grpc::CreateChannel(p.grpc_address(), grpc::InsecureChannelCredentials()));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    apb::ListDeliveriesRequest req;
    req.set_alert_id(alert_id);
    apb::ListDeliveriesResponse resp;
    std::map<std::string, apb::Delivery> out;
    if (!stub->ListDeliveries(&ctx, req, &resp).ok()) return out;
    for (const auto& d : resp.deliveries()) out[d.recipient()] = d;
    return out;
  }

  std::filesystem::path dir_;
  HttpReceiver receiver_;
  std::unique_ptr<SmtpServer> smtp_;
  std::string topic_;
  std::unique_ptr<kafka::Producer> producer_;
};

// SIGKILL while wang's webhook is in flight (the receiver holds its answer):
// li and boss, already paged, are not paged again; wang's page is finished by
// the restarted notifier — sent a second time at most, with the same
// X-FBL-Delivery-Id (the documented trade-off: a crash between the channel's
// acceptance and the record in Redis).
TEST_F(NotifierE2eTest, KilledMidDeliveryEachPersonIsPagedOnceAndTheInterruptedOneAtMostTwice) {
  receiver_.Hold("/hook/wang");
  auto notifier = Notifier("claim_lease: 6s\n");
  ASSERT_TRUE(notifier->Start()) << notifier->Log();
  const std::string alert = UniqueName("ra");
  const apb::AlertEvent event = Raised(alert, "");
  Produce(event);
  Produce(event);  // a redelivery, as alerting may publish after a crash

  ASSERT_TRUE(WaitFor([&] {
    auto d = Deliveries(*notifier, alert);
    return d["li"].state() == apb::DELIVERY_STATE_SENT && d["boss"].state() == apb::DELIVERY_STATE_SENT &&
           receiver_.RequestsTo("/hook/wang").size() == 1;
  })) << notifier->Log();
  EXPECT_EQ(Deliveries(*notifier, alert)["wang"].state(), apb::DELIVERY_STATE_PENDING);
  notifier->Kill();
  receiver_.Release();

  ASSERT_TRUE(notifier->Start()) << notifier->Log();
  ASSERT_TRUE(WaitFor([&] { return Deliveries(*notifier, alert)["wang"].state() == apb::DELIVERY_STATE_SENT; },
                      std::chrono::seconds(60)))
      << notifier->Log();

  EXPECT_EQ(receiver_.RequestsTo("/hook/li").size(), 1u);
  const auto mails = smtp_->Messages();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_THAT(mails[0], HasSubstr("X-FBL-Delivery-Id: " + alert + ":raised/boss"));
  EXPECT_THAT(mails[0], HasSubstr("X-RcptTo: boss@example.com"));
  EXPECT_THAT(mails[0], HasSubstr("Subject: [SEV1 INJURY_HEALTH] alert " + alert));
  std::string encoded = mails[0].substr(mails[0].find("\n\n") + 2);
  encoded.erase(std::remove_if(encoded.begin(), encoded.end(), [](char c) { return c == '\r' || c == '\n'; }),
                encoded.end());
  std::string body;
  ASSERT_TRUE(absl::Base64Unescape(encoded, &body)) << mails[0];
  EXPECT_THAT(body, HasSubstr("食物中毒"));

  const auto wang = receiver_.RequestsTo("/hook/wang");
  ASSERT_GE(wang.size(), 1u);
  ASSERT_LE(wang.size(), 2u);
  std::set<std::string> ids;
  for (const auto& r : wang) {
    EXPECT_TRUE(notifier::VerifySignature(kSecret, r.body, r.Header("X-FBL-Signature")));
    ids.insert(r.Header("X-FBL-Delivery-Id"));
  }
  EXPECT_EQ(ids, std::set<std::string>{alert + ":raised/wang"});
  std::printf("wang: %zu webhook request(s) for one page; at most 2 allowed after a kill mid-send\n", wang.size());
  const auto after = Deliveries(*notifier, alert);
  EXPECT_EQ(after.at("wang").attempts(), static_cast<int>(wang.size()));
  EXPECT_EQ(after.at("li").attempts(), 1);
  EXPECT_EQ(after.at("boss").attempts(), 1);
  EXPECT_EQ(after.at("boss").channel(), apb::DELIVERY_CHANNEL_EMAIL);

  auto [rc, promtool] = RunCommand("curl -sf http://127.0.0.1:" + std::to_string(notifier->metrics_port()) +
                                   "/metrics | promtool check metrics");
  EXPECT_EQ(rc, 0) << promtool;
  EXPECT_EQ(notifier->Stop(), 0) << notifier->Log();
}

// A storm through the real binary: ten alerts of one group in a 3 s window
// give one page per person, then one summary per person (e-mail included).
TEST_F(NotifierE2eTest, StormIsGroupedIntoOnePageAndASummary) {
  auto notifier = Notifier("storm: {window: 3s, tick: 100ms}\n");
  ASSERT_TRUE(notifier->Start()) << notifier->Log();
  const std::string group = UniqueName("food");
  std::vector<std::string> alerts;
  for (int i = 0; i < 10; ++i) {
    alerts.push_back(UniqueName("ra"));
    Produce(Raised(alerts.back(), group));
  }
  ASSERT_TRUE(WaitFor([&] { return receiver_.Requests().size() >= 4 && smtp_->Messages().size() >= 2; },
                      std::chrono::seconds(60)))
      << notifier->Log();
  const auto requests = receiver_.Requests();
  EXPECT_EQ(requests.size(), 4u);  // li and wang: one page and one summary each
  int summaries = 0;
  for (const auto& r : requests) {
    const auto j = nlohmann::json::parse(r.body);
    if (j.contains("grouped_count")) {
      ++summaries;
      EXPECT_EQ(j["grouped_count"], 9);
      EXPECT_THAT(j["title"].get<std::string>(), HasSubstr("9 more " + group + " alerts"));
    }
  }
  EXPECT_EQ(summaries, 2);
  const auto mails = smtp_->Messages();
  EXPECT_EQ(mails.size(), 2u);
  EXPECT_TRUE(std::any_of(mails.begin(), mails.end(),
                          [&](const std::string& m) { return m.find("9 more " + group) != std::string::npos; }));
  int grouped = 0;
  for (const auto& a : alerts) {
    for (const auto& [who, d] : Deliveries(*notifier, a)) grouped += d.state() == apb::DELIVERY_STATE_GROUPED;
  }
  EXPECT_EQ(grouped, 27);  // 9 alerts x 3 people
  EXPECT_EQ(notifier->Stop(), 0) << notifier->Log();
}

}  // namespace
}  // namespace fbl::testing
