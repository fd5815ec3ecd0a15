// Authentication and roles end to end (issue #10): the intake binary with
// TLS, per-caller bearer tokens and mTLS client certificates (a CA and
// certificates generated with the openssl CLI at test time), called through
// grpcurl. Shows: no credentials → UNAUTHENTICATED; a caller without the role
// → PERMISSION_DENIED; an analyst sees masked contact data, a supervisor
// (pii.read) sees it decrypted; every contact read is in the PII audit trail;
// workorder, alerting and analytics enforce their permission tables.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "feedback/v1/feedback.pb.h"
#include "libs/kafka/producer.h"
#include "tests/e2e/service_process.h"
#include "tests/integration/test_env.h"

namespace fbl::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Grpcurl() {
  const char* g = std::getenv("FBL_GRPCURL");
  return g != nullptr ? g : "grpcurl";
}

// Hand-written test credentials: never used outside this test.
const std::map<std::string, std::string> kTokens = {
    {"connector", "tok-connector-e2e"}, {"analyst", "tok-analyst-e2e"}, {"agent", "tok-agent-e2e"},
    {"supervisor", "tok-supervisor-e2e"}, {"admin", "tok-admin-e2e"}, {"nobody", "tok-nobody-e2e"}};

class AuthE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / UniqueName("auth-e2e");
    std::filesystem::create_directories(dir_);
    ASSERT_EQ(RunCommand(std::string(FBL_SOURCE_DIR) + "/scripts/keyring.sh " + (dir_ / "keyring").string()).first, 0);
    MakeCertificates();
    std::string callers = "callers:\n";
    for (const auto& [name, token] : kTokens) {
      auto [code, sha] = RunCommand("printf %s '" + token + "' | sha256sum | cut -c1-64");
      ASSERT_EQ(code, 0) << sha;
      sha.erase(sha.find_last_not_of("\n") + 1);
      callers += "  - {name: " + name + "-caller, token_sha256: " + sha + ", roles: [" +
                 (name == "nobody" ? "" : name) + "]}\n";
    }
    callers += "  - {name: alice, client_cert_cn: alice.ops, roles: [supervisor]}\n";
    Write("callers.yaml", callers);
    audit_stream_ = UniqueName("fbl:audit:pii:e2e");
    erasure_stream_ = UniqueName("fbl:audit:erasure:e2e");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Write(const std::string& name, const std::string& text) { std::ofstream((dir_ / name).string()) << text; }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  void MakeCertificates() {
    const std::string d = dir_.string();
    const std::string script =
        "set -e; cd " + d + ";"
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=fbl-e2e-ca -keyout ca.key -out ca.crt;"
        "openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout server.key -out server.csr;"
        "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > san.ext;"
        "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 1 -extfile san.ext "
        "-out server.crt;"
        "openssl req -newkey rsa:2048 -nodes -subj /CN=alice.ops -keyout client.key -out client.csr;"
        "openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 1 -out client.crt";
    auto [code, out] = RunCommand("(" + script + ")");
    ASSERT_EQ(code, 0) << out;
  }

  std::string ServerAuth(bool require_client_cert) const {
    return "server:\n"
           "  auth:\n"
           "    tls: {cert_file: " + Path("server.crt") + ", key_file: " + Path("server.key") +
           ", client_ca_file: " + Path("ca.crt") + ", require_client_cert: " +
           (require_client_cert ? "true" : "false") + "}\n";
  }

  std::unique_ptr<ServiceProcess> StartService(const std::string& binary, const std::string& config,
                                               const std::string& name = "service") {
    Write(name + ".yaml", config);
    // The callers file comes from the environment, as a mounted secret would.
    auto p = std::make_unique<ServiceProcess>(
        binary, std::vector<std::string>{"--config", Path(name + ".yaml")},
        std::map<std::string, std::string>{{"FBL__SERVER__AUTH__CALLERS_FILE", Path("callers.yaml")}}, dir_.string());
    EXPECT_TRUE(p->Start()) << p->Log();
    return p;
  }

  std::unique_ptr<ServiceProcess> StartWorkorder() {
    const std::string redis = RequireEnv("FBL_REDIS_ADDR");
    return StartService(FBL_WORKORDER_BIN,
                        ServerAuth(false) + "kafka_brokers: " + KafkaBrokers() + "\n"
                        "redis: {port: " + redis.substr(redis.find(':') + 1) + "}\n"
                        "consumer: {group_id: " + UniqueName("workorder-auth") + "}\n"
                        "redis_key_prefix: \"" + UniqueName("fbl:e2e:auth:workorder") + ":\"\n"
                        "classified_topic: " + CreateTopic("auth.classified", 1) +
                        "\nalerts_topic: " + CreateTopic("auth.alerts", 1) +
                        "\nsurveys_topic: " + CreateTopic("auth.surveys", 1) +
                        "\ntickets_topic: " + CreateTopic("auth.tickets", 1) + "\n"
                        "erasure_audit_stream: " + erasure_stream_ + "\n");
  }

  std::string Backing(const std::string& service) const {
    const std::string redis = RequireEnv("FBL_REDIS_ADDR");
    return "kafka_brokers: " + KafkaBrokers() + "\n"
           "redis: {port: " + redis.substr(redis.find(':') + 1) + "}\n"
           "consumer: {group_id: " + UniqueName(service + "-auth") + "}\n"
           "redis_key_prefix: \"" + UniqueName("fbl:e2e:auth:" + service) + ":\"\n";
  }

  std::unique_ptr<ServiceProcess> StartAlerting() {
    accepted_topic_ = CreateTopic("auth.accepted", 1);
    return StartService(FBL_ALERTING_BIN,
                        ServerAuth(false) + Backing("alerting") +
                            "accepted_topic: " + accepted_topic_ +
                            "\nalerts_topic: " + CreateTopic("auth.alerts", 1) +
                            "\nrules_file: " + std::string(FBL_SOURCE_DIR) + "/deploy/rules/red_alert.yaml\n",
                        "alerting");
  }

  std::unique_ptr<ServiceProcess> StartAnalytics() {
    return StartService(FBL_ANALYTICS_BIN,
                        ServerAuth(false) + Backing("analytics") +
                            "classified_topic: " + CreateTopic("auth.classified", 1) +
                            "\ntickets_topic: " + CreateTopic("auth.tickets", 1) +
                            "\nsurveys_topic: " + CreateTopic("auth.surveys", 1) +
                            "\nalerts_topic: " + CreateTopic("auth.alerts", 1) +
                            "\nstopwords_file: " + std::string(FBL_SOURCE_DIR) + "/deploy/analytics/stopwords.txt"
                            "\nearly_warning: {enabled: false}\n",
                        "analytics");
  }

  std::unique_ptr<ServiceProcess> StartIntake(bool require_client_cert) {
    const std::string redis = RequireEnv("FBL_REDIS_ADDR");
    return StartService(FBL_INTAKE_BIN,
          ServerAuth(require_client_cert) +
          "kafka_brokers: " + KafkaBrokers() + "\n"
          "redis: {port: " + redis.substr(redis.find(':') + 1) + "}\n"
          "consumer: {group_id: " + UniqueName("intake-auth") + "}\n"
          "topics: {raw: " + CreateTopic("auth.raw", 1) + ", accepted: " + CreateTopic("auth.accepted", 1) +
              ", rejected: " + CreateTopic("auth.rejected", 1) + "}\n"
          "keyring_file: " + Path("keyring") + "\n"
          "pii_audit_stream: " + audit_stream_ + "\n"
          "privacy: {erasure_audit_stream: " + erasure_stream_ + "}\n");
  }

  // grpcurl over TLS; `who` picks a bearer token ("" = none); `client_cert`
  // presents alice's certificate.
  std::pair<int, std::string> Call(const ServiceProcess& service, const std::string& who, const std::string& method,
                                   const std::string& json, bool client_cert = false) {
    std::string cmd = Grpcurl() + " -connect-timeout 3 -cacert " + Path("ca.crt");
    if (client_cert) cmd += " -cert " + Path("client.crt") + " -key " + Path("client.key");
    if (!who.empty()) cmd += " -rpc-header 'authorization: Bearer " + kTokens.at(who) + "'";
    if (!json.empty()) cmd += " -d '" + json + "'";
    return RunCommand(cmd + " " + service.grpc_address() + " " + method);
  }

  std::string AuditTrail() {
    const std::string redis = RequireEnv("FBL_REDIS_ADDR");
    return RunCommand("redis-cli -p " + redis.substr(redis.find(':') + 1) + " XRANGE " + audit_stream_ + " - +")
        .second;
  }
  int AuditLength() {
    const std::string redis = RequireEnv("FBL_REDIS_ADDR");
    return std::atoi(
        RunCommand("redis-cli -p " + redis.substr(redis.find(':') + 1) + " XLEN " + audit_stream_).second.c_str());
  }

  std::string ErasureTrail() {
    const std::string redis = RequireEnv("FBL_REDIS_ADDR");
    return RunCommand("redis-cli -p " + redis.substr(redis.find(':') + 1) + " XRANGE " + erasure_stream_ + " - +")
        .second;
  }

  std::filesystem::path dir_;
  std::string audit_stream_;
  std::string erasure_stream_;
  std::string accepted_topic_;
};

constexpr char kGet[] = "feedbackloop.intake.v1.IntakeService/GetFeedback";
constexpr char kSubmit[] = "feedbackloop.intake.v1.IntakeService/SubmitFeedback";

TEST_F(AuthE2eTest, RolesDecideWhoMayCallAndWhoSeesDecryptedContact) {
  auto intake = StartIntake(/*require_client_cert=*/false);
  ASSERT_GT(intake->grpc_port(), 0);

  // Health stays open (TLS, no credentials); plaintext is refused.
  auto [hc, health] = Call(*intake, "", "grpc.health.v1.Health/Check", "");
  EXPECT_EQ(hc, 0) << health;
  EXPECT_THAT(health, HasSubstr("SERVING"));
  auto [pc, plain] = RunCommand(Grpcurl() + " -connect-timeout 2 -plaintext " + intake->grpc_address() + " grpc.health.v1.Health/Check");
  EXPECT_NE(pc, 0) << plain;

  // A connector submits (real review text, ChnSentiCorp_htl_all.csv; the
  // contact details are hand-written).
  auto [sc, submitted] = Call(*intake, "connector", kSubmit,
                              R"({"submission":{"externalId":"auth-1","source":")" + UniqueName("auth") +
                                  R"(","channel":"CHANNEL_API","customerId":"u-auth-1",)"
                                  R"("text":"房间设施陈旧，空调噪音很大，一晚上没睡好。",)"
                                  R"("contact":{"phone":"13800138000","email":"zhang.wei@example.com","name":"张伟"}}})");
  ASSERT_EQ(sc, 0) << submitted << intake->Log();
  const std::string key = "\"feedback_id\": \"";
  const size_t at = submitted.find(key);
  ASSERT_NE(at, std::string::npos) << submitted;
  const size_t begin = at + key.size();
  const std::string id = submitted.substr(begin, submitted.find('"', begin) - begin);
  const std::string get = R"({"feedbackId":")" + id + R"(","includeContact":true})";

  // No credentials → UNAUTHENTICATED; no role → PERMISSION_DENIED; the
  // connector's role has no feedback.read → PERMISSION_DENIED.
  auto [nc, none] = Call(*intake, "", kGet, get);
  EXPECT_NE(nc, 0);
  EXPECT_THAT(none, HasSubstr("Unauthenticated"));
  auto [uc, unknown] = RunCommand(Grpcurl() + " -cacert " + Path("ca.crt") +
                                  " -rpc-header 'authorization: Bearer not-a-token' -d '" + get + "' " +
                                  intake->grpc_address() + " " + kGet);
  EXPECT_NE(uc, 0);
  EXPECT_THAT(unknown, HasSubstr("Unauthenticated"));
  auto [dc, denied] = Call(*intake, "nobody", kGet, get);
  EXPECT_NE(dc, 0);
  EXPECT_THAT(denied, HasSubstr("PermissionDenied"));
  EXPECT_THAT(denied, HasSubstr("nobody-caller"));
  auto [cc, connector] = Call(*intake, "connector", kGet, get);
  EXPECT_NE(cc, 0);
  EXPECT_THAT(connector, HasSubstr("PermissionDenied"));
  EXPECT_EQ(AuditLength(), 0) << "refused calls read nothing";

  // The analyst sees masked contact data.
  std::pair<int, std::string> analyst;
  ASSERT_TRUE(WaitFor([&] {
    analyst = Call(*intake, "analyst", kGet, get);
    return analyst.first == 0;
  })) << analyst.second;
  EXPECT_THAT(analyst.second, HasSubstr("CONTACT_VIEW_MASKED"));
  EXPECT_THAT(analyst.second, HasSubstr("\"phone\": \"138****8000\""));
  EXPECT_THAT(analyst.second, Not(HasSubstr("13800138000")));
  EXPECT_THAT(analyst.second, Not(HasSubstr("zhang.wei@")));

  // The supervisor (pii.read) sees it decrypted.
  auto [vc, supervisor] = Call(*intake, "supervisor", kGet, get);
  ASSERT_EQ(vc, 0) << supervisor;
  EXPECT_THAT(supervisor, HasSubstr("CONTACT_VIEW_DECRYPTED"));
  EXPECT_THAT(supervisor, HasSubstr("\"phone\": \"13800138000\""));
  EXPECT_THAT(supervisor, HasSubstr("zhang.wei@example.com"));

  // Without include_contact nothing is decrypted and nothing is audited.
  auto [rc, record] = Call(*intake, "supervisor", kGet, R"({"feedbackId":")" + id + R"("})");
  ASSERT_EQ(rc, 0) << record;
  EXPECT_THAT(record, Not(HasSubstr("contact_view")));

  // mTLS: alice's certificate (CN alice.ops) is a supervisor.
  auto [mc, mtls] = Call(*intake, "", kGet, get, /*client_cert=*/true);
  ASSERT_EQ(mc, 0) << mtls;
  EXPECT_THAT(mtls, HasSubstr("CONTACT_VIEW_DECRYPTED"));

  // Each contact read is in the audit trail: who, which record, how shown.
  ASSERT_EQ(AuditLength(), 3) << AuditTrail();
  const std::string trail = AuditTrail();
  const size_t a = trail.find("analyst-caller"), s = trail.find("supervisor-caller"), m = trail.find("alice");
  ASSERT_NE(a, std::string::npos) << trail;
  ASSERT_NE(s, std::string::npos) << trail;
  ASSERT_NE(m, std::string::npos) << trail;
  EXPECT_LT(a, s);
  EXPECT_LT(s, m);
  EXPECT_THAT(trail.substr(a, s - a), HasSubstr("masked"));
  EXPECT_THAT(trail.substr(a, s - a), HasSubstr(id));
  EXPECT_THAT(trail.substr(s, m - s), HasSubstr("decrypted"));
  EXPECT_THAT(trail.substr(m), HasSubstr("decrypted"));
  EXPECT_THAT(trail, Not(HasSubstr("13800138000")));

  const int status = intake->Stop();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << intake->Log();
}

TEST_F(AuthE2eTest, RequiredClientCertificateRefusesHandshakesWithoutOne) {
  auto intake = StartIntake(/*require_client_cert=*/true);
  ASSERT_GT(intake->grpc_port(), 0);
  auto [nc, without] = Call(*intake, "supervisor", "grpc.health.v1.Health/Check", "");
  EXPECT_NE(nc, 0) << without;
  auto [wc, with] = Call(*intake, "", "grpc.health.v1.Health/Check", "", /*client_cert=*/true);
  EXPECT_EQ(wc, 0) << with;
  EXPECT_THAT(with, HasSubstr("SERVING"));
  // The certificate names a known caller, so the call itself goes through.
  auto [gc, get] = Call(*intake, "", kGet, R"({"feedbackId":"fb-unknown-e2e"})", /*client_cert=*/true);
  EXPECT_NE(gc, 0);
  EXPECT_THAT(get, HasSubstr("NotFound"));
}

TEST_F(AuthE2eTest, WorkorderTicketChangesNeedTheRoleAndRecordTheCallerAsActor) {
  auto workorder = StartWorkorder();
  ASSERT_GT(workorder->grpc_port(), 0);
  const std::string create = "feedbackloop.workorder.v1.WorkorderService/CreateTicket";
  // Hand-written ticket; the request claims another actor.
  const std::string ticket = R"({"title":"空调噪音投诉跟进","priority":"PRIORITY_P2_IMPORTANT","actor":"someone-else"})";
  auto [nc, none] = Call(*workorder, "", create, ticket);
  EXPECT_NE(nc, 0);
  EXPECT_THAT(none, HasSubstr("Unauthenticated"));
  auto [ac, analyst] = Call(*workorder, "analyst", create, ticket);
  EXPECT_NE(ac, 0);
  EXPECT_THAT(analyst, HasSubstr("PermissionDenied"));
  EXPECT_THAT(analyst, HasSubstr("ticket.write"));

  auto [gc, created] = Call(*workorder, "agent", create, ticket);
  ASSERT_EQ(gc, 0) << created << workorder->Log();
  const std::string key = "\"ticket_id\": \"";
  const size_t at = created.find(key);
  ASSERT_NE(at, std::string::npos) << created;
  const size_t begin = at + key.size();
  const std::string id = created.substr(begin, created.find('"', begin) - begin);

  // The analyst may read the audit trail; the actor is the authenticated agent.
  auto [tc, trail] = Call(*workorder, "analyst", "feedbackloop.workorder.v1.WorkorderService/GetAuditTrail",
                          R"({"ticketId":")" + id + R"("})");
  ASSERT_EQ(tc, 0) << trail;
  EXPECT_THAT(trail, HasSubstr("\"actor\": \"agent-caller\""));
  EXPECT_THAT(trail, Not(HasSubstr("someone-else")));
  // Agents and plans need ticket.admin (supervisor), not an agent's role.
  auto [uc, upsert] = Call(*workorder, "agent", "feedbackloop.workorder.v1.WorkorderService/UpsertAgent",
                           R"({"agentId":"a-1"})");
  EXPECT_NE(uc, 0);
  EXPECT_THAT(upsert, HasSubstr("PermissionDenied"));
}

TEST_F(AuthE2eTest, ErasureNeedsPrivacyAdminInIntakeAndWorkorder) {
  auto intake = StartIntake(false);
  auto workorder = StartWorkorder();
  ASSERT_GT(intake->grpc_port(), 0);
  ASSERT_GT(workorder->grpc_port(), 0);
  const std::string intake_erase = "feedbackloop.intake.v1.IntakeService/EraseCustomer";
  const std::string workorder_erase = "feedbackloop.workorder.v1.WorkorderService/EraseCustomer";
  // Hand-written request.
  const std::string req =
      R"({"customerPseudonym":"c_0123456789abcdef0123456789abcdef","reason":"auth e2e request 7","eraseText":true})";

  // Agents, analysts and supervisors handle customers' data but may not erase it.
  for (const std::string who : {"agent", "analyst", "supervisor"}) {
    auto [ic, denied] = Call(*intake, who, intake_erase, req);
    EXPECT_NE(ic, 0) << who;
    EXPECT_THAT(denied, HasSubstr("PermissionDenied")) << who;
    EXPECT_THAT(denied, HasSubstr("privacy.admin")) << who;
    auto [wc, wdenied] = Call(*workorder, who, workorder_erase, req);
    EXPECT_NE(wc, 0) << who;
    EXPECT_THAT(wdenied, HasSubstr("PermissionDenied")) << who;
  }
  auto [rc, rotate] = Call(*intake, "agent", "feedbackloop.intake.v1.IntakeService/RotateContactKeys", "{}");
  EXPECT_NE(rc, 0);
  EXPECT_THAT(rotate, HasSubstr("PermissionDenied"));
  EXPECT_THAT(ErasureTrail(), Not(HasSubstr("customer_pseudonym"))) << "a refused call records nothing";

  // The admin may; both services record the authenticated caller.
  auto [ac, erased] = Call(*intake, "admin", intake_erase, req);
  ASSERT_EQ(ac, 0) << erased << intake->Log();
  EXPECT_THAT(erased, HasSubstr("audit_entry_id"));
  auto [wc, tickets] = Call(*workorder, "admin", workorder_erase, req);
  ASSERT_EQ(wc, 0) << tickets << workorder->Log();
  EXPECT_THAT(tickets, HasSubstr("audit_entry_id"));
  const std::string trail = ErasureTrail();
  EXPECT_THAT(trail, HasSubstr("admin-caller"));
  EXPECT_THAT(trail, HasSubstr("workorder"));
  EXPECT_THAT(trail, HasSubstr("auth e2e request 7"));
}

// The fbl CLI as an authenticated caller: --tls-ca and --token-file (or
// $FBL_TOKEN); without a token it is refused, with the admin's it erases.
TEST_F(AuthE2eTest, CliSendsItsTokenOverTls) {
  auto intake = StartIntake(false);
  auto workorder = StartWorkorder();
  ASSERT_GT(intake->grpc_port(), 0);
  ASSERT_GT(workorder->grpc_port(), 0);
  Write("admin.token", kTokens.at("admin") + "\n");
  Write("agent.token", kTokens.at("agent"));
  const std::string fbl = std::string(FBL_CLI_BIN) + " --intake-addr " + intake->grpc_address() +
                          " --workorder-addr " + workorder->grpc_address() + " --tls-ca " + Path("ca.crt");
  // Hand-written request.
  const std::string erase = " privacy erase c_00112233445566778899aabbccddeeff --reason 'auth e2e cli 9'";

  auto [nc, none] = RunCommand(fbl + erase);
  EXPECT_EQ(nc, 1) << none;
  EXPECT_THAT(none, HasSubstr("UNAUTHENTICATED"));
  auto [gc, agent] = RunCommand(fbl + " --token-file " + Path("agent.token") + erase);
  EXPECT_EQ(gc, 1) << agent;
  EXPECT_THAT(agent, HasSubstr("PERMISSION_DENIED"));
  EXPECT_THAT(agent, HasSubstr("privacy.admin"));
  auto [ac, admin] = RunCommand(fbl + " --token-file " + Path("admin.token") + erase);
  ASSERT_EQ(ac, 0) << admin << intake->Log();
  EXPECT_THAT(admin, HasSubstr("intake: 0 records found"));
  EXPECT_THAT(admin, HasSubstr("workorder: 0 tickets found"));
  EXPECT_THAT(ErasureTrail(), HasSubstr("admin-caller"));
  // The same token from the environment.
  auto [ec, env] = RunCommand("FBL_TOKEN=" + kTokens.at("admin") + " " + fbl + erase);
  EXPECT_EQ(ec, 0) << env;
  // A token is never sent in plaintext.
  auto [pc, plain] = RunCommand(std::string(FBL_CLI_BIN) + " --intake-addr " + intake->grpc_address() +
                                " --token-file " + Path("admin.token") + erase);
  EXPECT_EQ(pc, 2) << plain;
  EXPECT_THAT(plain, HasSubstr("--tls-ca"));
}

TEST_F(AuthE2eTest, AlertingAndAnalyticsCheckTheirPermissionTables) {
  auto alerting = StartAlerting();
  auto analytics = StartAnalytics();
  ASSERT_GT(alerting->grpc_port(), 0) << alerting->Log();
  ASSERT_GT(analytics->grpc_port(), 0) << analytics->Log();
  const std::string ack = "feedbackloop.alerting.v1.AlertingService/AcknowledgeAlert";
  const std::string list = "feedbackloop.alerting.v1.AlertingService/ListAlerts";
  const std::string top = "feedbackloop.analytics.v1.AnalyticsService/GetTopProblems";
  const std::string ack_json = R"({"alertId":"ra-auth-e2e-none","actor":"someone-else"})";
  const std::string top_json = R"({"period":{"start":"2026-11-01T00:00:00Z","end":"2026-11-08T00:00:00Z"},"n":3})";

  // No credentials: UNAUTHENTICATED on both new tables; a caller without a
  // role is known but may do nothing.
  auto [nc, none] = Call(*alerting, "", list, "");
  EXPECT_NE(nc, 0);
  EXPECT_THAT(none, HasSubstr("Unauthenticated"));
  auto [nac, none_analytics] = Call(*analytics, "", top, top_json);
  EXPECT_NE(nac, 0);
  EXPECT_THAT(none_analytics, HasSubstr("Unauthenticated"));
  auto [rc, roleless] = Call(*alerting, "nobody", list, "");
  EXPECT_NE(rc, 0);
  EXPECT_THAT(roleless, HasSubstr("PermissionDenied"));

  // The analyst reads alerts but may not acknowledge them.
  auto [lc, listed] = Call(*alerting, "analyst", list, "");
  EXPECT_EQ(lc, 0) << listed << alerting->Log();
  auto [ac, analyst_ack] = Call(*alerting, "analyst", ack, ack_json);
  EXPECT_NE(ac, 0);
  EXPECT_THAT(analyst_ack, HasSubstr("PermissionDenied"));
  EXPECT_THAT(analyst_ack, HasSubstr("alert.write"));
  // The agent gets past the permission check (the alert does not exist).
  auto [gc, agent_ack] = Call(*alerting, "agent", ack, ack_json);
  EXPECT_NE(gc, 0);
  EXPECT_THAT(agent_ack, HasSubstr("NotFound"));

  // A real alert: the agent acknowledges it and is recorded as the actor,
  // whatever the request claims. Hand-written crisis text.
  kafka::ProducerConfig pc;
  pc.brokers = KafkaBrokers();
  auto producer = kafka::Producer::Create(pc);
  ASSERT_TRUE(producer.ok()) << producer.status();
  ::feedbackloop::feedback::v1::FeedbackRecord record;
  record.set_feedback_id(UniqueName("fb-auth"));
  record.set_text("刹车失灵，高速上差点出事故，要求厂家给说法");
  ASSERT_TRUE((*producer)->ProduceSync({accepted_topic_, record.feedback_id(), record.SerializeAsString(), {}}).ok());
  const std::string alert_id = "ra-" + record.feedback_id();
  std::pair<int, std::string> got;
  ASSERT_TRUE(WaitFor([&] {
    got = Call(*alerting, "analyst", "feedbackloop.alerting.v1.AlertingService/GetAlert",
               R"({"alertId":")" + alert_id + R"("})");
    return got.first == 0;
  })) << got.second << alerting->Log();
  auto [kc, acked] = Call(*alerting, "agent", ack, R"({"alertId":")" + alert_id + R"(","actor":"someone-else"})");
  ASSERT_EQ(kc, 0) << acked;
  EXPECT_THAT(acked, HasSubstr("ALERT_STATE_ACKNOWLEDGED"));
  EXPECT_THAT(acked, HasSubstr("\"acknowledged_by\": \"agent-caller\""));
  EXPECT_THAT(acked, Not(HasSubstr("someone-else")));

  // Analytics: the analyst may query; the connector and the agent may not.
  auto [tc, analyst_top] = Call(*analytics, "analyst", top, top_json);
  EXPECT_EQ(tc, 0) << analyst_top << analytics->Log();
  auto [cc, connector_top] = Call(*analytics, "connector", top, top_json);
  EXPECT_NE(cc, 0);
  EXPECT_THAT(connector_top, HasSubstr("PermissionDenied"));
  EXPECT_THAT(connector_top, HasSubstr("analytics.read"));
  auto [xc, agent_top] = Call(*analytics, "agent", top, top_json);
  EXPECT_NE(xc, 0);
  EXPECT_THAT(agent_top, HasSubstr("PermissionDenied"));

  for (auto* p : {alerting.get(), analytics.get()}) {
    const int status = p->Stop();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << p->Log();
  }
}

}  // namespace
}  // namespace fbl::testing
