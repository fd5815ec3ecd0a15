// fbl-admin and kafka::Admin against the real Kafka: `topics ensure` creates
// missing topics and brings the retention of existing ones in line with the
// topics file (data protection: a shortened retention must reach topics that
// already exist), keeping their other overrides.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "libs/kafka/admin.h"
#include "tests/integration/test_env.h"

namespace fbl::kafka {
namespace {

using fbl::testing::CreateTopic;
using fbl::testing::KafkaBrokers;
using fbl::testing::UniqueName;
using ::testing::HasSubstr;

constexpr int64_t kDayMs = 24 * 3600 * 1000LL;

struct AdminRun {
  int rc = -1;
  std::string out;
};

// Runs fbl-admin with `args`; stdout captured (stderr goes to the test log).
AdminRun RunAdmin(const std::string& args) {
  AdminRun r;
  FILE* p = popen(absl::StrCat(FBL_ADMIN_BIN, " ", args).c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) r.out.append(buf, n);
  const int status = pclose(p);
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string WriteTopicsFile(const std::string& topic, const std::string& retention) {
  const std::string path = absl::StrCat(::testing::TempDir(), "/", UniqueName("topics"), ".yaml");
  std::ofstream(path) << "defaults:\n  partitions: 1\n  replication_factor: 1\ntopics:\n  - name: " << topic
                      << "\n    retention: " << retention << "\n";
  return path;
}

TEST(KafkaAdminIntegrationTest, EnsureAlignsTheRetentionOfExistingTopicsAndKeepsOtherOverrides) {
  auto admin = Admin::Create(KafkaBrokers());
  ASSERT_TRUE(admin.ok()) << admin.status();
  // Created by an older file: retention 1h (CreateTopic), plus an override
  // set by hand that the file does not mention.
  const std::string topic = CreateTopic("t.admin", 1);
  auto manual = (*admin)->AlignTopicConfigs({{topic, {{"max.message.bytes", "2000000"}}}}, true, absl::Seconds(20));
  ASSERT_TRUE(manual.ok()) << manual.status();
  ASSERT_EQ(manual->size(), 1u);
  auto before = (*admin)->TopicConfigs(topic, absl::Seconds(20));
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_EQ(before->at("retention.ms"), std::to_string(3600 * 1000));
  EXPECT_EQ(before->at("max.message.bytes"), "2000000");

  // --no-alter reports the difference and changes nothing.
  const std::string file = WriteTopicsFile(topic, "7d");
  AdminRun dry = RunAdmin(absl::StrCat("topics ensure --brokers ", KafkaBrokers(), " --file ", file, " --no-alter"));
  ASSERT_EQ(dry.rc, 0) << dry.out;
  EXPECT_THAT(dry.out, HasSubstr(absl::StrCat("topic ", topic, ": retention.ms 3600000 -> ", 7 * kDayMs)));
  EXPECT_EQ((*admin)->TopicConfigs(topic, absl::Seconds(20))->at("retention.ms"), "3600000");

  AdminRun run = RunAdmin(absl::StrCat("topics ensure --brokers ", KafkaBrokers(), " --file ", file));
  ASSERT_EQ(run.rc, 0) << run.out;
  EXPECT_THAT(run.out, HasSubstr(absl::StrCat("topic ", topic, ": retention.ms 3600000 -> ", 7 * kDayMs)));
  auto after = (*admin)->TopicConfigs(topic, absl::Seconds(20));
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->at("retention.ms"), std::to_string(7 * kDayMs));
  EXPECT_EQ(after->at("max.message.bytes"), "2000000") << "the other override is kept";

  // Again: nothing differs, nothing printed.
  AdminRun again = RunAdmin(absl::StrCat("topics ensure --brokers ", KafkaBrokers(), " --file ", file));
  ASSERT_EQ(again.rc, 0);
  EXPECT_EQ(again.out, "");

  // Topics that do not exist are created (with the file's retention), not altered.
  const std::string fresh = UniqueName("t.admin.fresh");
  auto none = (*admin)->AlignTopicConfigs({{fresh, {{"retention.ms", "1000"}}}}, true, absl::Seconds(20));
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->empty());
  AdminRun create =
      RunAdmin(absl::StrCat("topics ensure --brokers ", KafkaBrokers(), " --file ", WriteTopicsFile(fresh, "30d")));
  ASSERT_EQ(create.rc, 0);
  EXPECT_EQ(create.out, "");
  EXPECT_EQ((*admin)->TopicConfigs(fresh, absl::Seconds(20))->at("retention.ms"), std::to_string(30 * kDayMs));
  EXPECT_TRUE(absl::IsNotFound((*admin)->TopicConfigs(UniqueName("t.admin.none"), absl::Seconds(20)).status()));
}

}  // namespace
}  // namespace fbl::kafka
