#include "libs/runtime/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "libs/runtime/common_config.h"

namespace fbl::config {
namespace {

using ::testing::HasSubstr;

struct Rule {
  std::string name;
  std::vector<std::string> terms;
};
void BindConfig(Binder& b, Rule& r) {
  b.Required("name", r.name);
  b.Field("terms", r.terms);
}

struct Sample {
  runtime::ServerConfig server;
  kafka::ProducerConfig producer;
  int workers = 2;
  bool enabled = true;
  absl::Duration window = absl::Hours(24);
  std::vector<Rule> rules;
  std::map<std::string, Rule> named;
};
void BindConfig(Binder& b, Sample& s) {
  b.Field("server", s.server);
  b.Field("producer", s.producer);
  b.Field("workers", s.workers);
  b.Field("enabled", s.enabled);
  b.Field("window", s.window);
  b.Field("rules", s.rules);
  b.Field("named", s.named);
}

TEST(ConfigTest, ReadsTypedValuesAndKeepsDefaults) {
  auto c = LoadFromString<Sample>(R"(
server: {grpc_listen: "127.0.0.1:7000", log_level: debug}
producer: {brokers: "127.0.0.1:9092", linger: 5ms}
window: 30d
rules:
  - {name: safety, terms: [起火, 爆炸]}
named:
  fraud: {name: fraud}
)",
                                  "sample.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->server.grpc_listen, "127.0.0.1:7000");
  EXPECT_EQ(c->server.log_level, "debug");
  EXPECT_EQ(c->producer.linger, absl::Milliseconds(5));
  EXPECT_EQ(c->window, absl::Hours(24 * 30));
  EXPECT_EQ(c->workers, 2);  // default kept
  ASSERT_EQ(c->rules.size(), 1u);
  EXPECT_EQ(c->rules[0].terms[1], "爆炸");
  EXPECT_EQ(c->named.at("fraud").name, "fraud");
}

TEST(ConfigTest, UnknownKeyIsNamedWithItsPathAndFile) {
  auto c = LoadFromString<Sample>("producer:\n  lingr: 5ms\n", "/etc/fbl/intake.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(c.status().message(), HasSubstr("/etc/fbl/intake.yaml"));
  EXPECT_THAT(c.status().message(), HasSubstr("unknown key 'producer.lingr'"));
}

TEST(ConfigTest, UnknownKeyInsideListItem) {
  auto c = LoadFromString<Sample>("rules:\n  - {name: a, term: [x]}\n", "f.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("unknown key 'rules[0].term'"));
}

TEST(ConfigTest, WrongTypeNamesKeyExpectedTypeAndValue) {
  auto c = LoadFromString<Sample>("workers: many\n", "f.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("key 'workers' must be an integer, got 'many'"));
  auto d = LoadFromString<Sample>("window: soon\n", "f.yaml");
  ASSERT_FALSE(d.ok());
  EXPECT_THAT(d.status().message(), HasSubstr("key 'window' must be a duration"));
  auto e = LoadFromString<Sample>("producer: 3\n", "f.yaml");
  ASSERT_FALSE(e.ok());
  EXPECT_THAT(e.status().message(), HasSubstr("key 'producer' must be a mapping"));
}

TEST(ConfigTest, MissingRequiredKey) {
  auto c = LoadFromString<Sample>("rules:\n  - {terms: [x]}\n", "f.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("key 'rules[0].name' is required"));
}

TEST(ConfigTest, SemanticCheckFails) {
  auto c = LoadFromString<Sample>("server: {log_level: loud}\n", "f.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("server.log_level"));
}

TEST(ConfigTest, EnvironmentOverridesFileAndUnknownEnvIsAnError) {
  auto c = LoadFromString<Sample>("workers: 3\n", "f.yaml",
                                  {{"FBL__WORKERS", "8"}, {"FBL__PRODUCER__BROKERS", "10.0.0.1:9092"}});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->workers, 8);
  EXPECT_EQ(c->producer.brokers, "10.0.0.1:9092");

  auto bad = LoadFromString<Sample>("", "f.yaml", {{"FBL__PRODUCER__BROKRS", "x"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(),
              HasSubstr("unknown key 'producer.brokrs' (from FBL__PRODUCER__BROKRS)"));

  auto typed = LoadFromString<Sample>("", "f.yaml", {{"FBL__WORKERS", "lots"}});
  ASSERT_FALSE(typed.ok());
  EXPECT_THAT(typed.status().message(), HasSubstr("(from FBL__WORKERS) must be an integer"));
}

TEST(ConfigTest, MissingFileAndInvalidYaml) {
  auto c = Load<Sample>("/nonexistent/intake.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("/nonexistent/intake.yaml: cannot read file"));
  auto y = LoadFromString<Sample>("workers: [1,\n", "broken.yaml");
  ASSERT_FALSE(y.ok());
  EXPECT_THAT(y.status().message(), HasSubstr("broken.yaml: invalid YAML at line"));
}

TEST(ConfigTest, EmptyPathGivesDefaults) {
  auto c = Load<Sample>("");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->workers, 2);
}

TEST(ParseDurationTest, AcceptsUnitsAndDays) {
  EXPECT_EQ(*ParseDuration("250ms"), absl::Milliseconds(250));
  EXPECT_EQ(*ParseDuration("1h30m"), absl::Minutes(90));
  EXPECT_EQ(*ParseDuration("7d"), absl::Hours(168));
  EXPECT_FALSE(ParseDuration("-1s").ok());
  EXPECT_FALSE(ParseDuration("10").ok());
}

}  // namespace
}  // namespace fbl::config
