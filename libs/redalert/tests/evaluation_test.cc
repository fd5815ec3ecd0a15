#include "libs/redalert/evaluation.h"

#include <cstdio>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/redalert/tests/test_util.h"

namespace fbl::redalert {
namespace {

using ::testing::HasSubstr;

// The issue's target (issue 4): recall >= 0.95 at precision >= 0.85, on the
// holdout split that the rules were not tuned on. Throughput is printed, and
// judged by benchmarks, not here.
TEST(EvaluationTest, HoldoutMeetsTheTarget) {
  std::shared_ptr<const Matcher> matcher = testing::ProductionMatcher();
  ASSERT_NE(matcher, nullptr);
  absl::StatusOr<std::vector<LabelledRow>> rows = LoadLabelled(FBL_REDALERT_LABELLED);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_GE(rows->size(), 600u);
  const EvalReport report = Evaluate(*matcher, *rows, "holdout", 0.5);
  std::printf("%s", FormatReport(report, /*show_errors=*/false).c_str());
  EXPECT_GT(report.rows, 300u);
  EXPECT_GE(report.overall.Recall(), 0.95);
  EXPECT_GE(report.overall.Precision(), 0.85);
}

TEST(EvaluationTest, CountsAndSplits) {
  absl::StatusOr<RuleSet> rules = ParseRuleSet(R"(
version: "t"
categories:
  fraud:
    severity: sev2
    rules: [{id: f, terms: [诈骗]}]
)",
                                               "t.yaml");
  ASSERT_TRUE(rules.ok());
  absl::StatusOr<std::shared_ptr<const Matcher>> m = Matcher::Create(*rules);
  ASSERT_TRUE(m.ok());
  std::vector<LabelledRow> rows = {
      {"a", "s", "这是诈骗", "dev", true, Category::kFraud},        // tp
      {"b", "s", "挺好的", "dev", false, Category::kUnspecified},   // tn
      {"c", "s", "跟诈骗差不多", "dev", false, Category::kUnspecified},  // fp
      {"d", "s", "刹车失灵", "holdout", true, Category::kSafety},   // fn (other split)
  };
  EvalReport dev = Evaluate(**m, rows, "dev", 0.0);
  EXPECT_EQ(dev.rows, 3u);
  EXPECT_EQ(dev.overall.tp, 1u);
  EXPECT_EQ(dev.overall.fp, 1u);
  EXPECT_EQ(dev.overall.tn, 1u);
  EXPECT_DOUBLE_EQ(dev.overall.Precision(), 0.5);
  EXPECT_DOUBLE_EQ(dev.overall.Recall(), 1.0);
  EvalReport all = Evaluate(**m, rows, "all", 0.0);
  EXPECT_EQ(all.overall.fn, 1u);
  EXPECT_EQ(all.per_category[Category::kSafety].fn, 1u);
  EXPECT_THAT(FormatReport(all, true), HasSubstr("[d] gold=safety pred=none"));
}

TEST(EvaluationTest, MalformedLineIsNamed) {
  const std::string path = ::testing::TempDir() + "/redalert_bad.jsonl";
  std::ofstream(path) << "{\"id\":\"a\",\"text\":\"x\",\"alert\":false}\n{\"id\":\"b\",\"text\":\"y\"}\n";
  absl::StatusOr<std::vector<LabelledRow>> rows = LoadLabelled(path);
  ASSERT_FALSE(rows.ok());
  EXPECT_THAT(rows.status().message(), HasSubstr("line 2"));
}

}  // namespace
}  // namespace fbl::redalert
