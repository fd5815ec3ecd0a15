#include "services/notifier/notifier_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace fbl::notifier {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kValid[] = R"(
people:
  - id: li
    name: Li Na
    channels:
      - {type: webhook, address: "http://127.0.0.1:9/hook"}
      - {type: sms, address: "+8613800000000"}
  - id: boss
    channels: [{type: email, address: boss@example.com}]
rotations:
  - {id: primary, members: [li], shift: 7d, start: "2026-01-05T09:00", time_zone: Asia/Shanghai}
overrides:
  - {rotation: primary, person: boss, start: "2026-11-20T18:00:00+08:00", end: "2026-11-21T09:00:00+08:00"}
routes:
  - {name: safety, categories: [safety, injury_health], severities: [sev1], rotations: [primary]}
  - {name: management, tier: 2, people: [boss]}
channels:
  sms:
    url: "http://127.0.0.1:9/sms"
    body_template: "to={{phone}}&msg={{text}}"
    content_type: application/x-www-form-urlencoded
  email: {smtp_url: "smtp://127.0.0.1:2525"}
  im: {style: slack}
)";

TEST(NotifierConfigTest, LoadsAndNormalizesRoutes) {
  auto c = config::LoadFromString<NotifierConfig>(kValid, "notifier.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->consumer.group_id, "notifier");
  EXPECT_THAT(c->consumer.topics, ElementsAre("alerts.v1"));
  ASSERT_EQ(c->routes.size(), 2u);
  EXPECT_THAT(c->routes[0].categories, ElementsAre("ALERT_CATEGORY_SAFETY", "ALERT_CATEGORY_INJURY_HEALTH"));
  EXPECT_THAT(c->routes[0].severities, ElementsAre("SEVERITY_SEV1_CRITICAL"));
  EXPECT_EQ(c->people[0].channels[1].type, ChannelType::kSms);
  EXPECT_EQ(c->rotations[0].shift, absl::Hours(24 * 7));
  EXPECT_TRUE(BuildDirectory(*c).ok());
  EXPECT_TRUE(ChannelUsed(*c, ChannelType::kEmail));
  EXPECT_FALSE(ChannelUsed(*c, ChannelType::kImRobot));
}

std::string LoadWith(const std::string& extra, const std::string& base = kValid) {
  return std::string(config::LoadFromString<NotifierConfig>(base + extra, "notifier.yaml").status().message());
}

TEST(NotifierConfigTest, RefusesMistakesWithTheKeyName) {
  EXPECT_THAT(LoadWith("storm: {windw: 1m}\n"), HasSubstr("windw"));
  EXPECT_THAT(LoadWith("delivery: {fallback_after: 0}\n"), HasSubstr("fallback_after"));
  EXPECT_THAT(LoadWith("claim_lease: 1s\n"), HasSubstr("claim_lease"));
  std::string bad_template = kValid;
  bad_template.replace(bad_template.find("{{text}}"), 8, "{{txt}}");
  EXPECT_THAT(LoadWith("", bad_template), HasSubstr("txt"));
  std::string bad_category = kValid;
  bad_category.replace(bad_category.find("injury_health"), 13, "weather");
  EXPECT_THAT(LoadWith("", bad_category), HasSubstr("unknown category weather"));
  std::string no_sms = kValid;
  no_sms.replace(no_sms.find("  sms:\n"), no_sms.find("  email:") - no_sms.find("  sms:\n"), "");
  EXPECT_THAT(LoadWith("", no_sms), HasSubstr("sms"));
  std::string ghost = kValid;
  ghost.replace(ghost.find("members: [li]"), 13, "members: [ghost]");
  EXPECT_THAT(LoadWith("", ghost), HasSubstr("unknown member ghost"));
}

TEST(NotifierConfigTest, WebhookSecretMustComeFromEnvOrFile) {
  std::string yaml = kValid;
  yaml.replace(yaml.find("\nchannels:\n"), 11, "\nchannels:\n  webhook: {secret_env: FBL_TEST_UNSET_SECRET_VAR}\n");
  auto c = config::LoadFromString<NotifierConfig>(yaml, "notifier.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  auto secrets = LoadSecrets(*c);
  EXPECT_TRUE(absl::IsFailedPrecondition(secrets.status())) << secrets.status();
  EXPECT_THAT(std::string(secrets.status().message()), HasSubstr("FBL_TEST_UNSET_SECRET_VAR"));
}

}  // namespace
}  // namespace fbl::notifier
