// Page rendering and webhook signatures.
#include "services/notifier/page.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "absl/strings/escaping.h"
#include "services/notifier/signature.h"

namespace fbl::notifier {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(SignatureTest, MatchesRfc4231TestVector) {
  // RFC 4231, test case 2.
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(SignatureHeaderValue("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(SignatureTest, VerifiesOnlyTheExactBodyAndSecret) {
  const std::string body = R"({"alert_id":"ra-1","text":"刹车失灵"})";
  const std::string sig = SignatureHeaderValue("s3cret-s3cret-s3cret", body);
  EXPECT_TRUE(VerifySignature("s3cret-s3cret-s3cret", body, sig));
  EXPECT_FALSE(VerifySignature("s3cret-s3cret-s3cret", body + " ", sig));
  EXPECT_FALSE(VerifySignature("other-secret-other", body, sig));
  EXPECT_FALSE(VerifySignature("s3cret-s3cret-s3cret", body, sig.substr(0, sig.size() - 1)));
  EXPECT_FALSE(VerifySignature("s3cret-s3cret-s3cret", body, ""));
}

TEST(SignatureTest, DingTalkSignedUrlMatchesAnIndependentComputation) {
  // Expected value from Python: quote(b64encode(hmac(secret, "<ts>\n<secret>", sha256)), safe="").
  EXPECT_EQ(DingTalkSignedUrl("https://oapi.example/robot/send?access_token=abc", "SEC0123456789abcdef",
                              1700000000000),
            "https://oapi.example/robot/send?access_token=abc&timestamp=1700000000000"
            "&sign=TSZbRFUuvaSQaRKUpF970OPCb2%2FLcQAP3wOvwZIzBZk%3D");
  EXPECT_EQ(DingTalkSignedUrl("http://127.0.0.1:9/robot", "SEC0123456789abcdef", 1700000000000).substr(0, 41),
            "http://127.0.0.1:9/robot?timestamp=170000");
}

Page SamplePage() {
  Page p;
  p.event_id = "ra-fb1:raised";
  p.alert_id = "ra-fb1";
  p.event_type = "ALERT_EVENT_TYPE_RAISED";
  p.category = "ALERT_CATEGORY_SAFETY";
  p.severity = "SEVERITY_SEV1_CRITICAL";
  p.department = "quality";
  p.summary = "[safety/sev1] 刹车失灵，高速上差点出事故";
  p.feedback_id = "fb1";
  p.occurred_at = absl::FromUnixSeconds(1795000000);
  ComposeText(p);
  return p;
}

const Person kLi{"li", "李娜", {{ChannelType::kWebhook, "http://x"}}};

TEST(PageTest, TitleAndTextSayWhatHappened) {
  Page p = SamplePage();
  EXPECT_EQ(p.title, "[SEV1 SAFETY] alert ra-fb1");
  EXPECT_THAT(p.text, HasSubstr("刹车失灵"));
  EXPECT_THAT(p.text, HasSubstr("feedback: fb1"));
  p.event_type = "ALERT_EVENT_TYPE_ESCALATED";
  p.tier = 1;
  ComposeText(p);
  EXPECT_THAT(p.title, HasSubstr("escalated to tier 1"));
}

TEST(PageTest, WebhookBodyCarriesIdsAndRecipient) {
  const auto j = nlohmann::json::parse(WebhookBody(SamplePage(), kLi, "ra-fb1:raised/li"));
  EXPECT_EQ(j["delivery_id"], "ra-fb1:raised/li");
  EXPECT_EQ(j["event_id"], "ra-fb1:raised");
  EXPECT_EQ(j["alert_id"], "ra-fb1");
  EXPECT_EQ(j["recipient"]["id"], "li");
  EXPECT_EQ(j["severity"], "SEVERITY_SEV1_CRITICAL");
  EXPECT_EQ(j["occurred_at"], "2026-11-18T11:06:40+00:00");
  EXPECT_FALSE(j.contains("grouped_count"));
}

TEST(PageTest, TemplateEscapesForTheContentType) {
  const std::map<std::string, std::string> vars = {{"phone", "+86 138"}, {"text", "say \"hi\"\n&bye"}};
  EXPECT_EQ(*RenderTemplate(R"({"to":"{{phone}}","text":"{{ text }}"})", vars, TemplateEscape::kJson),
            R"({"to":"+86 138","text":"say \"hi\"\n&bye"})");
  EXPECT_EQ(*RenderTemplate("to={{phone}}&text={{text}}", vars, TemplateEscape::kForm),
            "to=%2B86+138&text=say+%22hi%22%0A%26bye");
  EXPECT_THAT(RenderTemplate("{{nope}}", vars, TemplateEscape::kNone).status().message(), HasSubstr("nope"));
  EXPECT_FALSE(RenderTemplate("{{phone", vars, TemplateEscape::kNone).ok());
  EXPECT_EQ(EscapeForContentType("application/json; charset=utf-8"), TemplateEscape::kJson);
  EXPECT_EQ(EscapeForContentType("application/x-www-form-urlencoded"), TemplateEscape::kForm);
}

TEST(PageTest, SmsIsCutAtAUtf8Boundary) {
  Page p = SamplePage();
  for (size_t max = 20; max < 80; ++max) {
    const std::string s = SmsText(p, max);
    EXPECT_LE(s.size(), max);
    EXPECT_EQ(nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::strict).empty(), false);
  }
  EXPECT_THAT(SmsText(p), HasSubstr("刹车失灵"));
}

TEST(PageTest, EmailIsAValidMimeMessage) {
  const std::string m = EmailMessage(SamplePage(), "notifier@example.com", "li@example.com", "ra-fb1:raised/li",
                                     absl::FromUnixSeconds(1795000000));
  EXPECT_THAT(m, HasSubstr("Subject: [SEV1 SAFETY] alert ra-fb1\r\n"));
  EXPECT_THAT(m, HasSubstr("X-FBL-Delivery-Id: ra-fb1:raised/li\r\n"));
  EXPECT_THAT(m, HasSubstr("Message-ID: <ra-fb1_raised_li@notifier.feedbackloop>\r\n"));
  EXPECT_THAT(m, HasSubstr("Date: Wed, 18 Nov 2026 11:06:40 +0000\r\n"));
  std::string encoded = m.substr(m.find("\r\n\r\n") + 4);
  encoded.erase(std::remove(encoded.begin(), encoded.end(), '\r'), encoded.end());
  encoded.erase(std::remove(encoded.begin(), encoded.end(), '\n'), encoded.end());
  std::string body;
  ASSERT_TRUE(absl::Base64Unescape(encoded, &body));
  EXPECT_THAT(body, HasSubstr("刹车失灵"));
  // A non-ASCII title becomes an encoded word.
  Page p = SamplePage();
  p.title = "红色警报";
  EXPECT_THAT(EmailMessage(p, "a@b", "c@d", "x", absl::UnixEpoch()), HasSubstr("Subject: =?UTF-8?B?"));
}

TEST(PageTest, ImRobotPayloadsPerStyle) {
  const Page p = SamplePage();
  auto wecom = nlohmann::json::parse(ImRobotBody(ImStyle::kWeCom, p, kLi));
  EXPECT_EQ(wecom["msgtype"], "text");
  EXPECT_THAT(wecom["text"]["content"].get<std::string>(), HasSubstr("@李娜"));
  auto ding = nlohmann::json::parse(ImRobotBody(ImStyle::kDingTalk, p, kLi));
  EXPECT_EQ(ding["msgtype"], "text");
  EXPECT_TRUE(ding.contains("at"));
  auto slack = nlohmann::json::parse(ImRobotBody(ImStyle::kSlack, p, kLi));
  EXPECT_THAT(slack["text"].get<std::string>(), HasSubstr("ra-fb1"));
  EXPECT_EQ(ParseImStyle("DingTalk"), ImStyle::kDingTalk);
  EXPECT_FALSE(ParseImStyle("teams").has_value());

  EXPECT_FALSE(ImReplyError(ImStyle::kWeCom, R"({"errcode":0,"errmsg":"ok"})").has_value());
  EXPECT_THAT(ImReplyError(ImStyle::kWeCom, R"({"errcode":45009,"errmsg":"api freq out of limit"})").value_or(""),
              HasSubstr("45009"));
  EXPECT_FALSE(ImReplyError(ImStyle::kSlack, "ok").has_value());
  EXPECT_FALSE(ImReplyError(ImStyle::kDingTalk, "not json").has_value());
}

TEST(PageTest, ShortEnumNames) {
  EXPECT_EQ(ShortEnumName("SEVERITY_SEV2_HIGH"), "SEV2");
  EXPECT_EQ(ShortEnumName("ALERT_CATEGORY_PUBLIC_ESCALATION"), "PUBLIC_ESCALATION");
  EXPECT_EQ(ShortEnumName("whatever"), "whatever");
  EXPECT_THAT(ShortEnumName("ALERT_EVENT_TYPE_RAISED"), Not(HasSubstr("TYPE")));
}

}  // namespace
}  // namespace fbl::notifier
