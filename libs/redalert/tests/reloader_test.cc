#include "libs/redalert/reloader.h"

#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fbl::redalert {
namespace {

using ::testing::HasSubstr;

std::string Rules(const std::string& version, const std::string& term) {
  return "version: \"" + version + "\"\ncategories:\n  safety:\n    severity: sev1\n    rules:\n" +
         "      - id: s.one\n        terms: [" + term + "]\n";
}

void Write(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

class ReloaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "/redalert_reload_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".yaml";
    Write(path_, Rules("v1", "起火"));
  }
  std::string path_;
};

TEST_F(ReloaderTest, SwapsOnChangeAndKeepsOldMatcherOnBadFile) {
  absl::StatusOr<std::unique_ptr<RuleReloader>> reloader = CreateRuleReloader(path_);
  ASSERT_TRUE(reloader.ok()) << reloader.status();
  RuleReloader& r = **reloader;
  std::shared_ptr<const Matcher> v1 = r.Current();
  EXPECT_EQ(v1->version(), "v1");
  EXPECT_TRUE(v1->Match("电动车起火了").alert);

  // Unchanged file: nothing to do.
  absl::StatusOr<bool> polled = r.Poll();
  ASSERT_TRUE(polled.ok()) << polled.status();
  EXPECT_FALSE(*polled);

  // A bad file (unknown key) is refused with the key named; v1 keeps serving.
  Write(path_, Rules("v2", "爆炸") + "        typo_key: 1\n");
  polled = r.Poll();
  ASSERT_FALSE(polled.ok());
  EXPECT_THAT(polled.status().message(), HasSubstr("unknown key 'categories.safety.rules[0].typo_key'"));
  EXPECT_THAT(polled.status().message(), HasSubstr("still serving version 'v1'"));
  EXPECT_EQ(r.Current()->version(), "v1");
  EXPECT_TRUE(r.Current()->Match("电动车起火了").alert);
  // The same bad file is not reported again on every tick.
  polled = r.Poll();
  ASSERT_TRUE(polled.ok());
  EXPECT_FALSE(*polled);

  // A fixed file is swapped in; the old matcher stays valid for its holders.
  Write(path_, Rules("v2", "爆炸"));
  polled = r.Poll();
  ASSERT_TRUE(polled.ok()) << polled.status();
  EXPECT_TRUE(*polled);
  EXPECT_EQ(r.Current()->version(), "v2");
  EXPECT_TRUE(r.Current()->Match("手机爆炸了").alert);
  EXPECT_FALSE(r.Current()->Match("电动车起火了").alert);
  EXPECT_EQ(v1->version(), "v1");
  EXPECT_TRUE(v1->Match("电动车起火了").alert);
}

TEST_F(ReloaderTest, BadPatternIsRefused) {
  absl::StatusOr<std::unique_ptr<RuleReloader>> reloader = CreateRuleReloader(path_);
  ASSERT_TRUE(reloader.ok()) << reloader.status();
  Write(path_, "version: \"v3\"\ncategories:\n  safety:\n    severity: sev1\n    rules:\n"
               "      - id: s.bad\n        patterns: [\"(起火\"]\n");
  absl::Status s = (*reloader)->ReloadNow();
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("rule 's.bad'"));
  EXPECT_EQ((*reloader)->Current()->version(), "v1");
}

TEST_F(ReloaderTest, MissingFileKeepsServing) {
  absl::StatusOr<std::unique_ptr<RuleReloader>> reloader = CreateRuleReloader(path_);
  ASSERT_TRUE(reloader.ok()) << reloader.status();
  std::remove(path_.c_str());
  absl::StatusOr<bool> polled = (*reloader)->Poll();
  EXPECT_FALSE(polled.ok());
  EXPECT_EQ((*reloader)->Current()->version(), "v1");
}

TEST(RuleReloaderCreateTest, BadInitialFileFails) {
  const std::string path = ::testing::TempDir() + "/redalert_reload_bad_initial.yaml";
  Write(path, "version: \"x\"\ncategories:\n  safety:\n    severity: sev9\n    rules: [{id: a, terms: [起火]}]\n");
  absl::StatusOr<std::unique_ptr<RuleReloader>> reloader = CreateRuleReloader(path);
  ASSERT_FALSE(reloader.ok());
  EXPECT_THAT(reloader.status().message(), HasSubstr("key 'categories.safety.severity'"));
  EXPECT_FALSE(CreateRuleReloader("/nonexistent/rules.yaml").ok());
}

}  // namespace
}  // namespace fbl::redalert
