#include "services/alerting/alert_policy.h"

#include <gtest/gtest.h>

#include "libs/redalert/rules.h"

namespace fbl::alerting {
namespace {

std::shared_ptr<const redalert::Matcher> Rules() {
  auto rules = redalert::LoadRuleSet(FBL_RULES_FILE);
  EXPECT_TRUE(rules.ok()) << rules.status();
  auto m = redalert::Matcher::Create(*rules);
  EXPECT_TRUE(m.ok()) << m.status();
  return *m;
}

TEST(AlertPolicyTest, BuildsOneDeterministicAlertPerFeedback) {
  ::feedbackloop::feedback::v1::FeedbackRecord r;
  r.set_feedback_id("fid-7");
  r.set_customer_pseudonym("c_abc");
  // Real complaint title (car_complaints.csv).
  r.set_text("车辆行驶中刹车失灵，差点撞车");
  r.mutable_product()->set_model("X5");
  auto match = Rules()->Match(MatchText(r));
  ASSERT_TRUE(match.alert);
  EscalationConfig cfg;
  const absl::Time now = absl::FromUnixSeconds(1800000000);
  pb::Alert a = BuildRedAlert(r, match, now, cfg);
  EXPECT_EQ(a.alert_id(), "ra-fid-7");
  EXPECT_EQ(a.alert_id(), BuildRedAlert(r, match, now + absl::Hours(1), cfg).alert_id());
  EXPECT_EQ(a.category(), pb::ALERT_CATEGORY_SAFETY);
  EXPECT_EQ(a.severity(), pb::SEVERITY_SEV1_CRITICAL);
  EXPECT_EQ(a.state(), pb::ALERT_STATE_OPEN);
  EXPECT_EQ(FromProto(a.ack_due()), now + absl::Minutes(15));
  EXPECT_EQ(FromProto(a.contact_due()), now + absl::Hours(1));
  ASSERT_GT(a.evidences_size(), 0);
  EXPECT_NE(a.evidences(0).snippet().find("刹车失灵"), std::string::npos);
  EXPECT_EQ(a.labels().at("product_model"), "X5");
}

TEST(AlertPolicyTest, AckTimeoutsBySeverity) {
  EscalationConfig cfg;
  cfg.ack_timeout_sev2 = absl::Minutes(30);
  EXPECT_EQ(AckTimeout(pb::SEVERITY_SEV1_CRITICAL, cfg), absl::Minutes(15));
  EXPECT_EQ(AckTimeout(pb::SEVERITY_SEV2_HIGH, cfg), absl::Minutes(30));
  EXPECT_EQ(AckTimeout(pb::SEVERITY_SEV3_MEDIUM, cfg), absl::Hours(4));
}

TEST(AlertPolicyTest, TimestampsRoundTrip) {
  const absl::Time t = absl::FromUnixMillis(1795387372275);
  EXPECT_EQ(FromProto(ToProto(t)), t);
}

}  // namespace
}  // namespace fbl::alerting
