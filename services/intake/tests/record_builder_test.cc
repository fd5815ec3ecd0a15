#include "services/intake/record_builder.h"

#include <gtest/gtest.h>

#include "libs/privacy/keyring.h"

namespace fbl::intake {
namespace {

namespace pb = ::feedbackloop::feedback::v1;

class RecordBuilderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ring = privacy::Keyring::Parse(privacy::Keyring::GenerateLine("pseudonym", "p1", true) + "\n" +
                                            privacy::Keyring::GenerateLine("contact", "c1", true),
                                        "test");
    ASSERT_TRUE(ring.ok());
    ring_ = *ring;
    builder_ = std::make_unique<RecordBuilder>(*text::Normalizer::Create(), text::VagueDetector(),
                                               *privacy::Pseudonymizer::Create(ring_),
                                               *privacy::Sealer::Create(ring_));
  }
  privacy::Keyring ring_;
  std::unique_ptr<RecordBuilder> builder_;
};

TEST_F(RecordBuilderTest, MasksPiiKeepsNoRawContactAndNormalizes) {
  pb::FeedbackSubmission s;
  s.set_external_id("e1");
  s.set_source("app");
  s.set_channel(::feedbackloop::common::v1::CHANNEL_APP_FORM);
  s.set_customer_id("u-42");
  s.mutable_contact()->set_phone("13800138000");
  s.mutable_contact()->set_name("张三");
  // Hand-made: a real complaint shape with PII in the text and full-width letters.
  s.set_text("\xEF\xBB\xBF热水器漏水，ＡＢＣ型号，请联系13800138000或zhang@example.com");
  auto built = builder_->Build(s, "fid-1", absl::FromUnixSeconds(1700000000));
  ASSERT_TRUE(built.ok()) << built.status();
  const pb::FeedbackRecord& r = built->record;
  EXPECT_EQ(r.feedback_id(), "fid-1");
  EXPECT_EQ(r.text().find("13800138000"), std::string::npos);
  EXPECT_EQ(r.text().find("zhang@example.com"), std::string::npos);
  EXPECT_NE(r.text().find("[PHONE]"), std::string::npos);
  EXPECT_EQ(r.text().rfind("\xEF\xBB\xBF", 0), std::string::npos);  // BOM stripped
  EXPECT_NE(r.normalized_text().find("abc型号"), std::string::npos);
  EXPECT_EQ(r.masked_pii_kinds_size(), 2);
  EXPECT_EQ(r.customer_pseudonym().size(), 34u);
  EXPECT_NE(r.customer_pseudonym().find("c_"), std::string::npos);
  // The serialized record holds neither the raw id nor the raw contact.
  const std::string bytes = r.SerializeAsString();
  EXPECT_EQ(bytes.find("u-42"), std::string::npos);
  EXPECT_EQ(bytes.find("13800138000"), std::string::npos);
  EXPECT_EQ(bytes.find("张三"), std::string::npos);
  // ... but the contact opens with the key and the feedback id.
  privacy::Sealed sealed{r.contact().key_id(), r.contact().algorithm(), r.contact().nonce(),
                         r.contact().ciphertext()};
  auto opened = privacy::Sealer::Create(ring_)->Open(sealed, "fid-1");
  ASSERT_TRUE(opened.ok()) << opened.status();
  pb::Contact contact;
  ASSERT_TRUE(contact.ParseFromString(*opened));
  EXPECT_EQ(contact.phone(), "13800138000");
  EXPECT_EQ(r.language(), "zh");
  EXPECT_FALSE(built->minhash.empty());
}

TEST_F(RecordBuilderTest, VagueTextIsFlaggedWithAHint) {
  pb::FeedbackSubmission s;
  s.set_source("app");
  s.set_text("不好用");
  auto built = builder_->Build(s, "fid-2", absl::Now());
  ASSERT_TRUE(built.ok());
  EXPECT_TRUE(built->record.quality().vague());
  EXPECT_GT(built->record.quality().reasons_size(), 0);
  EXPECT_FALSE(built->record.quality().hint().empty());
  EXPECT_EQ(built->record.customer_pseudonym(), "");  // anonymous stays anonymous
  EXPECT_FALSE(built->record.has_contact());
}

TEST(DetectLanguageTest, ChineseEnglishAndOther) {
  EXPECT_EQ(DetectLanguage("iphone 13 屏幕碎了"), "zh");
  EXPECT_EQ(DetectLanguage("my order never arrived"), "en");
  EXPECT_EQ(DetectLanguage("123 !!!"), "und");
}

}  // namespace
}  // namespace fbl::intake
