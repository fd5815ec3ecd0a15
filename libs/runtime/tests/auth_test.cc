#include "libs/runtime/auth.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "libs/runtime/common_config.h"

namespace fbl::runtime {
namespace {

using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

struct Wrapper {
  ServerConfig server;
};
void BindConfig(config::Binder& b, Wrapper& w) { b.Field("server", w.server); }

absl::StatusOr<Wrapper> Parse(const std::string& yaml, const std::map<std::string, std::string>& env = {}) {
  return config::LoadFromString<Wrapper>(yaml, "test.yaml", env);
}

const std::string kSupervisorToken = "supervisor-token-for-tests";  // hand-written test secrets
const std::string kAnalystToken = "analyst-token-for-tests";
const std::string kNoRoleToken = "no-role-token-for-tests";

AuthConfig SampleConfig() {
  AuthConfig c;
  c.tls.cert_file = "unused.crt";
  c.tls.key_file = "unused.key";
  c.callers = {{"sup", Sha256Hex(kSupervisorToken), "", {"supervisor"}},
               {"ana", Sha256Hex(kAnalystToken), "", {"analyst"}},
               {"nobody", Sha256Hex(kNoRoleToken), "", {}},
               {"cert-agent", "", "agent.example", {"agent"}}};
  return c;
}

std::shared_ptr<Authorizer> SampleAuthorizer() {
  auto a = Authorizer::Create(SampleConfig());
  EXPECT_TRUE(a.ok()) << a.status();
  (*a)->AddService("pkg.Intake", {{"Submit", "feedback.submit"}, {"Get", "feedback.read"}});
  return *a;
}

TEST(AuthConfigTest, OffByDefault) {
  auto w = Parse("server: {grpc_listen: 127.0.0.1:0}\n");
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_FALSE(w->server.auth.tls_enabled());
  EXPECT_TRUE(w->server.auth.callers.empty());
}

TEST(AuthConfigTest, ParsesTlsCallersAndRoles) {
  const std::string sha = Sha256Hex("t");
  auto w = Parse(
      "server:\n"
      "  auth:\n"
      "    tls: {cert_file: s.crt, key_file: s.key, client_ca_file: ca.crt, require_client_cert: true}\n"
      "    callers:\n"
      "      - {name: a, token_sha256: " + sha + ", roles: [analyst]}\n"
      "      - {name: b, client_cert_cn: b.example, roles: [agent, supervisor]}\n"
      "    roles: {analyst: {permissions: [feedback.read]}}\n");
  ASSERT_TRUE(w.ok()) << w.status();
  const AuthConfig& a = w->server.auth;
  EXPECT_EQ(a.tls.client_ca_file, "ca.crt");
  EXPECT_TRUE(a.tls.require_client_cert);
  ASSERT_EQ(a.callers.size(), 2u);
  EXPECT_EQ(a.callers[0].token_sha256, sha);
  EXPECT_EQ(a.callers[1].client_cert_cn, "b.example");
  EXPECT_THAT(a.roles.at("analyst").permissions, UnorderedElementsAre("feedback.read"));
}

TEST(AuthConfigTest, RejectsCallersWithoutTls) {
  auto w = Parse("server: {auth: {callers: [{name: a, token_sha256: " + Sha256Hex("t") + "}]}}\n");
  ASSERT_FALSE(w.ok());
  EXPECT_THAT(w.status().message(), HasSubstr("server.auth.callers"));
}

TEST(AuthConfigTest, RejectsPlainTokenInsteadOfHash) {
  auto w = Parse("server: {auth: {tls: {cert_file: a, key_file: b}, callers: [{name: a, token_sha256: secret}]}}\n");
  ASSERT_FALSE(w.ok());
  EXPECT_THAT(w.status().message(), HasSubstr("64 hex digits"));
}

TEST(AuthConfigTest, RejectsRequireClientCertWithoutCa) {
  auto w = Parse("server: {auth: {tls: {cert_file: a, key_file: b, require_client_cert: true}}}\n");
  ASSERT_FALSE(w.ok());
  EXPECT_THAT(w.status().message(), HasSubstr("require_client_cert"));
}

TEST(AuthConfigTest, CallersFileFromEnvironment) {
  const std::string path = ::testing::TempDir() + "/callers.yaml";
  {
    std::ofstream out(path);
    out << "callers:\n  - {name: filed, token_sha256: " << Sha256Hex("filed-token") << ", roles: [admin]}\n";
  }
  auto w = Parse("server: {auth: {tls: {cert_file: a, key_file: b}}}\n",
                 {{"FBL__SERVER__AUTH__CALLERS_FILE", path}});
  ASSERT_TRUE(w.ok()) << w.status();
  auto a = Authorizer::Create(w->server.auth);
  ASSERT_TRUE(a.ok()) << a.status();
  auto c = (*a)->Authorize("/any.Service/Method", "filed-token", "");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->name, "filed");
  EXPECT_TRUE(c->Has("pii.read"));  // admin has "*"
  std::remove(path.c_str());
}

struct KafkaWrapper {
  kafka::ProducerConfig producer;
  kafka::ConsumerConfig consumer;
};
void BindConfig(config::Binder& b, KafkaWrapper& w) {
  b.Field("producer", w.producer);
  b.Field("consumer", w.consumer);
}

TEST(KafkaSecurityConfigTest, PlaintextByDefault) {
  auto w = config::LoadFromString<KafkaWrapper>("producer: {}\n", "k.yaml");
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_TRUE(w->producer.extra.empty());
  EXPECT_TRUE(w->consumer.extra.empty());
}

TEST(KafkaSecurityConfigTest, SaslSslBecomesLibrdkafkaPropertiesWithSecretFromFileOrEnv) {
  const std::string path = ::testing::TempDir() + "/sasl-password";
  std::ofstream(path) << "from-file\n";  // hand-written test secret
  auto w = config::LoadFromString<KafkaWrapper>(
      "producer:\n"
      "  security: {protocol: sasl_ssl, sasl_mechanism: SCRAM-SHA-512, sasl_username: intake,\n"
      "             sasl_password_file: " + path + ", ssl_ca_location: /etc/ca.pem}\n"
      "  extra: {ssl.ca.location: /override/ca.pem}\n"
      "consumer:\n"
      "  security: {protocol: sasl_plaintext, sasl_mechanism: PLAIN, sasl_username: intake}\n",
      "k.yaml", {{"FBL__CONSUMER__SECURITY__SASL_PASSWORD", "from-env"}});
  ASSERT_TRUE(w.ok()) << w.status();
  const auto& p = w->producer.extra;
  EXPECT_EQ(p.at("security.protocol"), "sasl_ssl");
  EXPECT_EQ(p.at("sasl.mechanisms"), "SCRAM-SHA-512");
  EXPECT_EQ(p.at("sasl.username"), "intake");
  EXPECT_EQ(p.at("sasl.password"), "from-file");
  EXPECT_EQ(p.at("ssl.ca.location"), "/override/ca.pem");  // explicit extra wins
  EXPECT_EQ(p.at("ssl.endpoint.identification.algorithm"), "https");
  const auto& c = w->consumer.extra;
  EXPECT_EQ(c.at("security.protocol"), "sasl_plaintext");
  EXPECT_EQ(c.at("sasl.password"), "from-env");
  EXPECT_EQ(c.count("ssl.endpoint.identification.algorithm"), 0u);
  std::remove(path.c_str());
}

TEST(KafkaSecurityConfigTest, RejectsUnknownProtocolAndSaslWithoutMechanism) {
  auto bad = config::LoadFromString<KafkaWrapper>("producer: {security: {protocol: tls}}\n", "k.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("producer.security.protocol"));
  auto no_mech = config::LoadFromString<KafkaWrapper>("consumer: {security: {protocol: sasl_ssl}}\n", "k.yaml");
  ASSERT_FALSE(no_mech.ok());
  EXPECT_THAT(no_mech.status().message(), HasSubstr("sasl_mechanism"));
}

TEST(AuthorizerTest, UnknownRoleIsAnError) {
  AuthConfig c = SampleConfig();
  c.callers.push_back({"x", Sha256Hex("x"), "", {"wizard"}});
  auto a = Authorizer::Create(c);
  ASSERT_FALSE(a.ok());
  EXPECT_THAT(a.status().message(), HasSubstr("wizard"));
}

TEST(AuthorizerTest, DuplicateCredentialIsAnError) {
  AuthConfig c = SampleConfig();
  c.callers.push_back({"again", Sha256Hex(kAnalystToken), "", {"agent"}});
  EXPECT_FALSE(Authorizer::Create(c).ok());
}

TEST(AuthorizerTest, PermissionTable) {
  auto a = SampleAuthorizer();
  EXPECT_EQ(a->RequiredPermission("/pkg.Intake/Get"), "feedback.read");
  EXPECT_EQ(a->RequiredPermission("/pkg.Intake/Submit"), "feedback.submit");
  EXPECT_EQ(a->RequiredPermission("/pkg.Intake/NewMethod"), "*");  // fail closed
  EXPECT_EQ(a->RequiredPermission("/other.Service/Any"), kPermAuthenticated);
  EXPECT_EQ(a->RequiredPermission("/grpc.health.v1.Health/Check"), "");
  EXPECT_EQ(a->RequiredPermission("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"), "");
}

TEST(AuthorizerTest, Decisions) {
  auto a = SampleAuthorizer();
  EXPECT_EQ(a->Authorize("/pkg.Intake/Get", "", "").status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(a->Authorize("/pkg.Intake/Get", "wrong", "").status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(a->Authorize("/pkg.Intake/Get", kNoRoleToken, "").status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(a->Authorize("/pkg.Intake/Submit", kAnalystToken, "").status().code(),
            absl::StatusCode::kPermissionDenied);
  auto ana = a->Authorize("/pkg.Intake/Get", kAnalystToken, "");
  ASSERT_TRUE(ana.ok()) << ana.status();
  EXPECT_EQ(ana->name, "ana");
  EXPECT_FALSE(ana->Has(kPermPiiRead));
  auto sup = a->Authorize("/pkg.Intake/Get", kSupervisorToken, "");
  ASSERT_TRUE(sup.ok());
  EXPECT_TRUE(sup->Has(kPermPiiRead));
  // Any known caller for services without a table; open health for all.
  EXPECT_TRUE(a->Authorize("/other.Service/Any", kNoRoleToken, "").ok());
  EXPECT_TRUE(a->Authorize("/grpc.health.v1.Health/Check", "", "").ok());
  // Client certificates by common name.
  auto agent = a->Authorize("/pkg.Intake/Get", "", "agent.example");
  ASSERT_TRUE(agent.ok());
  EXPECT_EQ(agent->name, "cert-agent");
  EXPECT_EQ(a->Authorize("/pkg.Intake/Get", "", "stranger").status().code(), absl::StatusCode::kUnauthenticated);
}

TEST(AuthorizerTest, DefaultRolesOnlySupervisorAndAdminReadPii) {
  for (const auto& [name, role] : DefaultRoles()) {
    Caller c{name, {name}, {role.permissions.begin(), role.permissions.end()}};
    EXPECT_EQ(c.Has(kPermPiiRead), name == "supervisor" || name == "admin") << name;
  }
}

TEST(AuthorizerTest, Sha256Hex) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace fbl::runtime
