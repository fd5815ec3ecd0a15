#include "libs/redalert/rules.h"

#include <cstdlib>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/redalert/tests/test_util.h"

namespace fbl::redalert {
namespace {

using ::testing::HasSubstr;

constexpr char kMinimal[] = R"(
version: "t1"
categories:
  safety:
    severity: sev1
    rules:
      - id: s.fire
        terms: [起火]
)";

TEST(RulesTest, ProductionFileLoads) {
  absl::StatusOr<RuleSet> rules = LoadRuleSet(FBL_REDALERT_RULES);
  ASSERT_TRUE(rules.ok()) << rules.status();
  EXPECT_FALSE(rules->version.empty());
  ASSERT_EQ(rules->categories.size(), 4u);
  EXPECT_EQ(rules->categories[0].category, Category::kSafety);
  EXPECT_EQ(rules->categories[0].severity, Severity::kSev1);
  EXPECT_EQ(rules->categories[3].category, Category::kPublicEscalation);
  EXPECT_GT(rules->rule_count(), 20u);
}

TEST(RulesTest, MinimalFileParses) {
  absl::StatusOr<RuleSet> rules = ParseRuleSet(kMinimal, "minimal.yaml");
  ASSERT_TRUE(rules.ok()) << rules.status();
  EXPECT_EQ(rules->version, "t1");
  ASSERT_EQ(rules->categories.size(), 1u);
  EXPECT_EQ(rules->categories[0].rules[0].id, "s.fire");
  EXPECT_EQ(rules->categories[0].rules[0].category, Category::kSafety);
  EXPECT_EQ(rules->negation_window, 6);
}

TEST(RulesTest, UnknownKeyIsNamed) {
  absl::StatusOr<RuleSet> rules = ParseRuleSet(R"(
version: "t1"
categories:
  safety:
    severity: sev1
    rules:
      - id: s.fire
        terms: [起火]
        term: [着火]
)",
                                               "typo.yaml");
  ASSERT_FALSE(rules.ok());
  EXPECT_EQ(rules.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(rules.status().message(), HasSubstr("typo.yaml"));
  EXPECT_THAT(rules.status().message(), HasSubstr("unknown key 'categories.safety.rules[0].term'"));
}

TEST(RulesTest, UnknownCategoryIsNamed) {
  absl::StatusOr<RuleSet> rules = ParseRuleSet(R"(
version: "t1"
categories:
  weather:
    severity: sev3
    rules: [{id: w.rain, terms: [下雨]}]
)",
                                               "cat.yaml");
  ASSERT_FALSE(rules.ok());
  EXPECT_THAT(rules.status().message(), HasSubstr("unknown key 'categories.weather'"));
}

TEST(RulesTest, BadSeverityIsNamed) {
  absl::StatusOr<RuleSet> rules = ParseRuleSet(R"(
version: "t1"
categories:
  fraud:
    severity: high
    rules: [{id: f.scam, terms: [诈骗]}]
)",
                                               "sev.yaml");
  ASSERT_FALSE(rules.ok());
  EXPECT_THAT(rules.status().message(),
              HasSubstr("key 'categories.fraud.severity' must be sev1, sev2 or sev3, got 'high'"));
}

TEST(RulesTest, EmptyCategoryIsRefused) {
  absl::StatusOr<RuleSet> rules = ParseRuleSet(R"(
version: "t1"
categories:
  safety:
    severity: sev1
    rules: []
)",
                                               "empty.yaml");
  ASSERT_FALSE(rules.ok());
  EXPECT_THAT(rules.status().message(), HasSubstr("key 'categories.safety.rules' is empty"));
}

TEST(RulesTest, RuleWithoutTermsIsRefused) {
  absl::StatusOr<RuleSet> rules = ParseRuleSet(R"(
version: "t1"
categories:
  safety:
    severity: sev1
    rules: [{id: s.none}]
)",
                                               "noterms.yaml");
  ASSERT_FALSE(rules.ok());
  EXPECT_THAT(rules.status().message(), HasSubstr("key 'categories.safety.rules[0].terms'"));
}

TEST(RulesTest, DuplicateRuleIdIsRefused) {
  absl::StatusOr<RuleSet> rules = ParseRuleSet(R"(
version: "t1"
categories:
  safety:
    severity: sev1
    rules: [{id: dup, terms: [起火]}]
  fraud:
    severity: sev2
    rules: [{id: dup, terms: [诈骗]}]
)",
                                               "dup.yaml");
  ASSERT_FALSE(rules.ok());
  EXPECT_THAT(rules.status().message(),
              HasSubstr("key 'categories.fraud.rules[0].id' duplicates rule id 'dup' of categories.safety.rules[0].id"));
}

TEST(RulesTest, MissingVersionAndCategoriesAreRequired) {
  absl::StatusOr<RuleSet> rules = ParseRuleSet("negation_window: 4\n", "bare.yaml");
  ASSERT_FALSE(rules.ok());
  EXPECT_THAT(rules.status().message(), HasSubstr("key 'version' is required"));
  EXPECT_THAT(rules.status().message(), HasSubstr("key 'categories' is required"));
}

TEST(RulesTest, WrongTypeIsNamed) {
  absl::StatusOr<RuleSet> rules = ParseRuleSet(R"(
version: "t1"
negation_window: many
categories:
  safety:
    severity: sev1
    rules: [{id: s.fire, terms: [起火]}]
)",
                                               "type.yaml");
  ASSERT_FALSE(rules.ok());
  EXPECT_THAT(rules.status().message(), HasSubstr("key 'negation_window' must be"));
}

TEST(RulesTest, ServiceEnvironmentOverridesDoNotLeakIntoRules) {
  const std::string path = ::testing::TempDir() + "/redalert_rules_env.yaml";
  std::ofstream(path) << kMinimal;
  ::setenv("FBL__KAFKA__BROKERS", "localhost:9092", 1);
  absl::StatusOr<RuleSet> rules = LoadRuleSet(path);
  ::unsetenv("FBL__KAFKA__BROKERS");
  ASSERT_TRUE(rules.ok()) << rules.status();
  EXPECT_EQ(rules->version, "t1");
}

TEST(RulesTest, MissingFileIsNotFound) {
  absl::StatusOr<RuleSet> rules = LoadRuleSet("/nonexistent/red_alert.yaml");
  ASSERT_FALSE(rules.ok());
  EXPECT_EQ(rules.status().code(), absl::StatusCode::kNotFound);
}

TEST(RulesTest, NamesRoundTrip) {
  for (Category c : kAllCategories) EXPECT_EQ(CategoryFromName(CategoryName(c)), c);
  EXPECT_EQ(CategoryFromName("weather"), Category::kUnspecified);
  EXPECT_EQ(SeverityFromName("sev2"), Severity::kSev2);
  EXPECT_TRUE(MoreSevere(Severity::kSev1, Severity::kSev2));
  EXPECT_FALSE(MoreSevere(Severity::kSev3, Severity::kSev2));
  EXPECT_TRUE(MoreSevere(Severity::kSev3, Severity::kUnspecified));
}

}  // namespace
}  // namespace fbl::redalert
