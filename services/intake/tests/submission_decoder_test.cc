#include "services/intake/submission_decoder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace fbl::intake {
namespace {

using ::testing::HasSubstr;

pb::FeedbackSubmission Valid() {
  pb::FeedbackSubmission s;
  s.set_external_id("ext-1");
  s.set_source("test-connector");
  s.set_channel(::feedbackloop::common::v1::CHANNEL_ECOMMERCE_REVIEW);
  // Real review, online_shopping_10_cats.csv (手机).
  s.set_text("手机用了一个星期就开始发烫，电池掉电也很快。");
  return s;
}

TEST(DecodeTest, ProtobufBinaryIsTheDefault) {
  const std::string bytes = Valid().SerializeAsString();
  Decoded d = DecodeSubmission(bytes, std::nullopt, "ext-1", LimitsConfig{});
  ASSERT_TRUE(d.submission.has_value()) << d.rejection.detail;
  EXPECT_EQ(d.submission->text(), Valid().text());
  EXPECT_TRUE(DecodeSubmission(bytes, "application/x-protobuf", "", LimitsConfig{}).submission.has_value());
}

TEST(DecodeTest, CanonicalJsonWithCharsetParameter) {
  const std::string json = R"({"externalId":"w-9","source":"weibo-connector","channel":"CHANNEL_SOCIAL_WEIBO",
    "text":"送餐太慢了，等了一个半小时，菜都凉了","customerType":"CUSTOMER_TYPE_VIP","labels":{"weibo.reposts":"3"}})";
  Decoded d = DecodeSubmission(json, "Application/JSON; charset=utf-8", "w-9", LimitsConfig{});
  ASSERT_TRUE(d.submission.has_value()) << d.rejection.detail;
  EXPECT_EQ(d.submission->customer_type(), ::feedbackloop::common::v1::CUSTOMER_TYPE_VIP);
  EXPECT_EQ(d.submission->labels().at("weibo.reposts"), "3");
}

TEST(DecodeTest, KafkaKeyFillsMissingExternalId) {
  pb::FeedbackSubmission s = Valid();
  s.clear_external_id();
  Decoded d = DecodeSubmission(s.SerializeAsString(), std::nullopt, "from-key", LimitsConfig{});
  ASSERT_TRUE(d.submission.has_value());
  EXPECT_EQ(d.submission->external_id(), "from-key");
}

struct BadCase {
  std::string name;
  std::string payload;
  std::optional<std::string> content_type;
  pb::RejectReason reason;
  std::string field;  // expected first violation, "" if none
};

class DecodeRejectTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(DecodeRejectTest, RejectsWithReason) {
  const BadCase& c = GetParam();
  LimitsConfig limits;
  limits.max_message_bytes = 4096;
  Decoded d = DecodeSubmission(c.payload, c.content_type, "", limits);
  ASSERT_FALSE(d.submission.has_value()) << c.name;
  EXPECT_EQ(d.rejection.reason, c.reason) << c.name << ": " << d.rejection.detail;
  EXPECT_FALSE(d.rejection.detail.empty());
  if (!c.field.empty()) {
    ASSERT_FALSE(d.rejection.violations.empty()) << c.name;
    EXPECT_EQ(d.rejection.violations[0].first, c.field) << c.name;
  }
}

std::string WithText(std::string text) {
  pb::FeedbackSubmission s = Valid();
  s.set_text(std::move(text));
  return s.SerializeAsString();
}

std::string UnknownChannel() {
  pb::FeedbackSubmission s = Valid();
  s.set_channel(static_cast<::feedbackloop::common::v1::Channel>(999));
  return s.SerializeAsString();
}

std::string InvalidUtf8InProto() {
  // Hand-built wire bytes: field 9 (text), length 3, bytes that are not UTF-8.
  pb::FeedbackSubmission s = Valid();
  s.clear_text();
  return s.SerializeAsString() + std::string("\x4a\x03\xc0\xaf\x41", 5);
}

INSTANTIATE_TEST_SUITE_P(
    Bad, DecodeRejectTest,
    ::testing::Values(
        BadCase{"garbage", "\xff\xff\xff\xff not protobuf", std::nullopt, pb::REJECT_REASON_MALFORMED_PAYLOAD, ""},
        BadCase{"broken json", "{\"text\": \"x\"", std::string("application/json"),
                pb::REJECT_REASON_MALFORMED_PAYLOAD, ""},
        BadCase{"deep json", std::string(2000, '[') + std::string(2000, ']'), std::string("application/json"),
                pb::REJECT_REASON_INVALID_FIELD_VALUE, ""},
        BadCase{"wrong type", R"({"externalId":"a","source":"s","channel":"CHANNEL_EMAIL","text":42,"offline":"yes"})",
                std::string("application/json"), pb::REJECT_REASON_INVALID_FIELD_VALUE, ""},
        BadCase{"unknown json field", R"({"externalId":"a","source":"s","channel":"CHANNEL_EMAIL","text":"x","colour":1})",
                std::string("application/json"), pb::REJECT_REASON_INVALID_FIELD_VALUE, ""},
        BadCase{"unknown json enum", R"({"externalId":"a","source":"s","channel":"CHANNEL_FAX","text":"x"})",
                std::string("application/json"), pb::REJECT_REASON_UNKNOWN_ENUM_VALUE, ""},
        BadCase{"unknown proto enum", UnknownChannel(), std::nullopt, pb::REJECT_REASON_UNKNOWN_ENUM_VALUE, "channel"},
        BadCase{"invalid utf8 json", "{\"text\":\"\xc0\xaf\"}", std::string("application/json"),
                pb::REJECT_REASON_INVALID_UTF8, ""},
        BadCase{"invalid utf8 proto", InvalidUtf8InProto(), std::nullopt, pb::REJECT_REASON_INVALID_UTF8, ""},
        BadCase{"missing text", WithText("  \t"), std::nullopt, pb::REJECT_REASON_MISSING_REQUIRED_FIELD, "text"},
        BadCase{"bom only text", WithText("\xEF\xBB\xBF"), std::nullopt, pb::REJECT_REASON_MISSING_REQUIRED_FIELD, "text"},
        // Hand-written: only full-width spaces (U+3000), and a mix of other
        // Unicode white space and zero-width characters.
        BadCase{"full width spaces only text", WithText("\u3000\u3000\u3000"), std::nullopt,
                pb::REJECT_REASON_MISSING_REQUIRED_FIELD, "text"},
        BadCase{"unicode whitespace only text", WithText("\u00A0\u2003\u200B\u2028\u202F\u205F\uFEFF\u3000\n"),
                std::nullopt, pb::REJECT_REASON_MISSING_REQUIRED_FIELD, "text"},
        BadCase{"oversize record", std::string(5000, 'a'), std::nullopt, pb::REJECT_REASON_OVERSIZE, ""},
        BadCase{"unsupported type", Valid().SerializeAsString(), std::string("text/xml"),
                pb::REJECT_REASON_UNSUPPORTED_CONTENT_TYPE, ""}),
    [](const ::testing::TestParamInfo<BadCase>& info) {
      std::string n = info.param.name;
      for (char& ch : n) if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
      return n;
    });

TEST(ValidateTest, MissingFieldsAreAllListed) {
  pb::FeedbackSubmission s;
  auto r = ValidateSubmission(s, LimitsConfig{}, true);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->reason, pb::REJECT_REASON_MISSING_REQUIRED_FIELD);
  ASSERT_EQ(r->violations.size(), 4u);
  EXPECT_EQ(r->violations[0].first, "external_id");
  EXPECT_EQ(r->violations[3].first, "text");
}

TEST(ValidateTest, LimitsOnTextAttachmentsAndLabels) {
  LimitsConfig limits;
  limits.max_text_bytes = 30;
  limits.max_attachments = 1;
  pb::FeedbackSubmission s = Valid();
  auto r = ValidateSubmission(s, limits, true);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->reason, pb::REJECT_REASON_OVERSIZE);
  EXPECT_THAT(r->detail, HasSubstr("limit is 30"));
  limits.max_text_bytes = 1000;
  s.add_attachments();
  s.add_attachments();
  r = ValidateSubmission(s, limits, true);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->reason, pb::REJECT_REASON_TOO_MANY_ITEMS);
  EXPECT_EQ(r->violations[0].first, "attachments");
}

TEST(ValidateTest, FullWidthSpacesAroundRealTextAreFine) {
  pb::FeedbackSubmission s = Valid();
  // Real review (ChnSentiCorp_htl_all.csv) padded with full-width spaces.
  s.set_text("\u3000\u3000房间设施陈旧，空调噪音很大，一晚上没睡好。\u3000");
  EXPECT_FALSE(ValidateSubmission(s, LimitsConfig{}, true).has_value());
  s.set_text("\u3000\u3000\u3000");
  auto r = ValidateSubmission(s, LimitsConfig{}, true);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->reason, pb::REJECT_REASON_MISSING_REQUIRED_FIELD);
  EXPECT_EQ(r->violations[0].first, "text");
}

TEST(ValidateTest, UnknownEnumInRepeatedNestedField) {
  pb::FeedbackSubmission s = Valid();
  s.add_attachments()->set_kind(::feedbackloop::common::v1::ATTACHMENT_KIND_IMAGE);
  s.add_attachments()->set_kind(static_cast<::feedbackloop::common::v1::AttachmentKind>(77));
  auto r = ValidateSubmission(s, LimitsConfig{}, true);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->reason, pb::REJECT_REASON_UNKNOWN_ENUM_VALUE);
  EXPECT_EQ(r->violations[0].first, "attachments[1].kind");
}

}  // namespace
}  // namespace fbl::intake
