// What erasing a customer does to one ticket and its audit entries (issue #10).
// Customer texts are real food-delivery reviews (waimai_10k.csv); agent
// comments and reasons are hand-written.
#include "services/workorder/ticket_erasure.h"

#include <gtest/gtest.h>

namespace fbl::workorder {
namespace {

namespace pb = ::feedbackloop::workorder::v1;

pb::AuditEntry Entry(const std::string& action, const std::string& detail) {
  pb::AuditEntry a;
  a.set_ticket_id("tk-1");
  a.set_actor("agent-7");
  a.set_action(action);
  a.set_detail(detail);
  a.set_version(3);
  return a;
}

TEST(TicketErasureTest, PseudonymShape) {
  EXPECT_TRUE(IsCustomerPseudonym("c_0123456789abcdef0123456789abcdef"));
  EXPECT_FALSE(IsCustomerPseudonym("c_0123456789ABCDEF0123456789abcdef"));  // upper case
  EXPECT_FALSE(IsCustomerPseudonym("c_0123456789abcdef"));
  EXPECT_FALSE(IsCustomerPseudonym("x_0123456789abcdef0123456789abcdef"));
  EXPECT_FALSE(IsCustomerPseudonym(""));
}

TEST(TicketErasureTest, FeedbackTicketLosesTitleSummaryAndSurveyComment) {
  pb::Ticket t;
  t.set_origin(pb::TICKET_ORIGIN_FEEDBACK);
  t.set_title("没有送水没有送水没有送水");  // real review
  t.set_summary("没有送水没有送水没有送水");
  t.set_customer_pseudonym("c_0123456789abcdef0123456789abcdef");
  t.add_tags("complaint.logistics.late_delivery");
  t.mutable_survey()->set_csat(2);
  t.mutable_survey()->set_comment("菜味道很棒！送餐很及时！");  // real review
  ASSERT_TRUE(EraseTicketText(t));
  EXPECT_EQ(t.title(), kErased);
  EXPECT_EQ(t.summary(), kErased);
  EXPECT_EQ(t.survey().comment(), kErased);
  EXPECT_EQ(t.survey().csat(), 2) << "the answer itself is not personal text";
  EXPECT_EQ(t.customer_pseudonym(), "c_0123456789abcdef0123456789abcdef") << "kept: a later erasure finds it";
  EXPECT_EQ(t.tags(0), "complaint.logistics.late_delivery");
  // Idempotent.
  EXPECT_FALSE(EraseTicketText(t));
}

TEST(TicketErasureTest, AlertTitleStaysAndEmptyFieldsStayEmpty) {
  pb::Ticket t;
  t.set_origin(pb::TICKET_ORIGIN_RED_ALERT);
  t.set_title("红色警报 ALERT_CATEGORY_SAFETY");
  t.set_summary("方便，快捷，味道可口，快递给力");  // real review
  ASSERT_TRUE(EraseTicketText(t));
  EXPECT_EQ(t.title(), "红色警报 ALERT_CATEGORY_SAFETY");
  EXPECT_EQ(t.summary(), kErased);
  EXPECT_FALSE(t.has_survey()) << "no survey is made up";

  pb::Ticket empty;
  empty.set_origin(pb::TICKET_ORIGIN_API);
  EXPECT_FALSE(EraseTicketText(empty));
  EXPECT_TRUE(empty.title().empty());
}

TEST(TicketErasureTest, AuditEntriesLoseTheirFreeText) {
  auto comment = EraseAuditText(Entry("comment", "客户说非常快，态度好。"));
  ASSERT_TRUE(comment.has_value());
  EXPECT_EQ(comment->detail(), kErased);
  EXPECT_EQ(comment->actor(), "agent-7");
  EXPECT_EQ(comment->version(), 3);

  auto visible = EraseAuditText(Entry("comment (customer visible)", "已为您补送"));
  ASSERT_TRUE(visible.has_value());
  EXPECT_EQ(visible->detail(), kErased);

  auto survey = EraseAuditText(Entry("survey", "CSAT 2, NPS 3: 没有送水没有送水没有送水"));
  ASSERT_TRUE(survey.has_value());
  EXPECT_EQ(survey->detail(), "CSAT 2, NPS 3: [ERASED]");

  auto transition = EraseAuditText(Entry("transition", "PENDING -> IN_PROGRESS: 电话联系了客户"));
  ASSERT_TRUE(transition.has_value());
  EXPECT_EQ(transition->detail(), "PENDING -> IN_PROGRESS: [ERASED]");

  auto wait = EraseAuditText(Entry("wait on customer", "等客户提供订单号"));
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(wait->detail(), kErased);
}

TEST(TicketErasureTest, FixedFormEntriesAndErasedOnesAreLeftAlone) {
  EXPECT_FALSE(EraseAuditText(Entry("create", "TICKET_ORIGIN_FEEDBACK PRIORITY_P2_IMPORTANT department logistics")));
  EXPECT_FALSE(EraseAuditText(Entry("assign", "- -> agent-7")));
  EXPECT_FALSE(EraseAuditText(Entry("transition", "PENDING -> IN_PROGRESS")));  // no note
  EXPECT_FALSE(EraseAuditText(Entry("survey", "CSAT 5")));                       // no comment
  EXPECT_FALSE(EraseAuditText(Entry("erase", "customer text erased (2 audit entries): request 42")));
  EXPECT_FALSE(EraseAuditText(Entry("comment", "[ERASED]")));
  EXPECT_FALSE(EraseAuditText(Entry("survey", "CSAT 2: [ERASED]")));
}

TEST(TicketErasureTest, ReasonIsMaskedAndShort) {
  // Hand-written reason with a phone number.
  const std::string reason = ShortReason("客户来电要求删除，电话 13812345678");
  EXPECT_EQ(reason.find("13812345678"), std::string::npos) << reason;
  const std::string long_reason = ShortReason(std::string(300, 'x'));
  EXPECT_LE(long_reason.size(), 120u);
  EXPECT_TRUE(long_reason.ends_with("…"));
}

}  // namespace
}  // namespace fbl::workorder
