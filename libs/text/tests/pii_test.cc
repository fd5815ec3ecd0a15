#include "libs/text/pii.h"

#include <chrono>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fbl::text {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::string Masked(std::string_view s) { return MaskPii(s).text; }

void ExpectUnchanged(std::string_view s) {
  const MaskResult r = MaskPii(s);
  EXPECT_EQ(r.text, s);
  EXPECT_EQ(r.count, 0);
  EXPECT_THAT(r.kinds, IsEmpty());
}

// ---- phones ----

TEST(MaskPii, MobileNumbers) {
  EXPECT_EQ(Masked("电话13800138000谢谢"), "电话[PHONE]谢谢");
  EXPECT_EQ(Masked("call 13912345678."), "call [PHONE].");
  EXPECT_EQ(Masked("手机：138 0013 8000，"), "手机：[PHONE]，");
  EXPECT_EQ(Masked("手机 138-0013-8000"), "手机 [PHONE]");
  EXPECT_EQ(Masked("+8613800138000"), "[PHONE]");
  EXPECT_EQ(Masked("+86 138 0013 8000"), "[PHONE]");
  EXPECT_EQ(Masked("0086-13800138000"), "[PHONE]");
  EXPECT_EQ(Masked("86 13800138000"), "[PHONE]");
  EXPECT_EQ(Masked("8613800138000"), "[PHONE]");
}

TEST(MaskPii, FullWidthDigitsCount) {
  const MaskResult r = MaskPii("我的手机１３８００１３８０００，打给我");
  EXPECT_EQ(r.text, "我的手机[PHONE]，打给我");
  EXPECT_THAT(r.kinds, ElementsAre(PiiKind::kPhone));
  EXPECT_EQ(Masked("＋８６　１３８　００１３　８０００"), "[PHONE]");
}

TEST(MaskPii, Landlines) {
  EXPECT_EQ(Masked("前台电话010-12345678"), "前台电话[PHONE]");
  EXPECT_EQ(Masked("0755-1234567 没人接"), "[PHONE] 没人接");
  EXPECT_EQ(Masked("(021)87654321"), "[PHONE]");
  EXPECT_EQ(Masked("0571 88886666"), "[PHONE]");
  EXPECT_EQ(Masked("075512345678"), "[PHONE]");
  EXPECT_EQ(Masked("010-12345678-801"), "[PHONE]");
}

TEST(MaskPii, InternationalNumbers) {
  EXPECT_EQ(Masked("UK: +44 20 7946 0958"), "UK: [PHONE]");
  EXPECT_EQ(Masked("+1-202-555-0143 is my number"), "[PHONE] is my number");
  EXPECT_EQ(Masked("+85291234567"), "[PHONE]");
  ExpectUnchanged("+1234567");            // 7 digits: too short
  ExpectUnchanged("+1234567890123456");   // 16 digits: too long
}

TEST(MaskPii, PhoneNegatives) {
  ExpectUnchanged("订单号DD13800138000");         // inside a longer token
  ExpectUnchanged("订单号 13800138000123");       // 14 digits
  ExpectUnchanged("order_13800138000");
  ExpectUnchanged("12345678901");                 // 11 digits not starting 1[3-9]
  ExpectUnchanged("iPhone 13 Pro 256G");          // product model
  ExpectUnchanged("价格3.13800138000");           // decimal
  ExpectUnchanged("2023-13800138000-01");         // hyphen-joined order number
  ExpectUnchanged("010-1234");                    // local part too short
  ExpectUnchanged("等了1个小时，送餐员电话打不通");
}

// ---- e-mail ----

TEST(MaskPii, Emails) {
  EXPECT_EQ(Masked("邮箱zhang.san+shop@example.com.cn谢谢"), "邮箱[EMAIL]谢谢");
  EXPECT_EQ(Masked("mail me: a_b-c@mail.qq.com."), "mail me: [EMAIL].");
  EXPECT_EQ(Masked("13800138000@163.com"), "[EMAIL]");
  ExpectUnchanged("user@localhost");
  ExpectUnchanged("@example.com");
  ExpectUnchanged("a@b.c");
  ExpectUnchanged("foo@bar.123");
  ExpectUnchanged("价格@5元");
}

// ---- ID cards ----

TEST(MaskPii, IdCards) {
  EXPECT_EQ(Masked("身份证11010519491231002X，"), "身份证[ID_CARD]，");
  EXPECT_EQ(Masked("身份证号:11010519491231002x"), "身份证号:[ID_CARD]");
  EXPECT_EQ(Masked("320106198808080010"), "[ID_CARD]");
  EXPECT_EQ(Masked("old 110105491231002 id"), "old [ID_CARD] id");
}

TEST(MaskPii, IdCardNegatives) {
  // Valid-looking but the check character is wrong (…002X is right).
  ExpectUnchanged("110105194912310021");
  ExpectUnchanged("身份证 110105194912310025 ");
  // Correct check character, impossible date of birth (Feb 30) / province 99.
  ExpectUnchanged("110105194902300020");
  ExpectUnchanged("990105194912310103");
  // 15-digit form with month 13.
  ExpectUnchanged("110105491331002");
  // Inside a longer token.
  ExpectUnchanged("ID11010519491231002X");
}

TEST(MaskPii, BadIdChecksumThatPassesLuhnIsABankCardNotAnIdCard) {
  // 18 digits: the ID check character is wrong (…0010 is right), but the
  // number passes Luhn, so it is masked, as a bank card.
  const MaskResult r = MaskPii("320106198808080011");
  EXPECT_EQ(r.text, "[BANK_CARD]");
  EXPECT_THAT(r.kinds, ElementsAre(PiiKind::kBankCard));
}

// ---- bank cards ----

TEST(MaskPii, BankCards) {
  EXPECT_EQ(Masked("卡号6222021234567894"), "卡号[BANK_CARD]");
  EXPECT_EQ(Masked("卡号 6222 0212 3456 7894 退款"), "卡号 [BANK_CARD] 退款");
  EXPECT_EQ(Masked("6222-0212-3456-7894"), "[BANK_CARD]");
  EXPECT_EQ(Masked("6222021234567890128"), "[BANK_CARD]");  // 19 digits
  EXPECT_EQ(Masked("4111 1111 1111 1111"), "[BANK_CARD]");
}

TEST(MaskPii, BankCardNegatives) {
  ExpectUnchanged("6222021234567890");            // 16 digits failing Luhn
  ExpectUnchanged("6222 0212 3456 7890");         // grouped, failing Luhn
  ExpectUnchanged("62220212345678941234");        // 20 digits
  ExpectUnchanged("6222-0212-3456-7894-1234");    // 20 digits grouped
  ExpectUnchanged("DD6222021234567894");          // inside a token
  // Order number: not masked unless it independently matches.
  ExpectUnchanged("订单DD202301011234567890已签收");
}

// ---- combined ----

TEST(MaskPii, MixedKindsInOrderOfFirstAppearance) {
  const MaskResult r = MaskPii(
      "邮箱 a@b.com，电话13800138000，卡6222021234567894，"
      "身份证11010519491231002X，备用电话010-12345678，邮箱c@d.org");
  EXPECT_EQ(r.text,
            "邮箱 [EMAIL]，电话[PHONE]，卡[BANK_CARD]，身份证[ID_CARD]，备用电话[PHONE]，"
            "邮箱[EMAIL]");
  EXPECT_THAT(r.kinds,
              ElementsAre(PiiKind::kEmail, PiiKind::kPhone, PiiKind::kBankCard, PiiKind::kIdCard));
  EXPECT_EQ(r.count, 6);
}

TEST(MaskPii, RealReviewsWithoutPiiAreUntouched) {
  // waimai_10k.csv
  ExpectUnchanged("经过上次晚了2小时，这次超级快，20分钟就送到了……");
  ExpectUnchanged("送餐超级慢,用了一个小时四十多分钟,送过来的时候都凉了");
  // online_shopping_10_cats.csv (洗发水)
  ExpectUnchanged("超市原价138啊，618活动六十块就能搞定，简直不要太惊喜！屯货了！");
}

TEST(MaskPii, InvalidUtf8IsCopiedThrough) {
  EXPECT_EQ(Masked("\xC0\xAF电话13800138000\xE4\xB8"), "\xC0\xAF电话[PHONE]\xE4\xB8");
}

TEST(MaskPii, LinearOnAdversarialInput) {
  std::string input;
  for (int i = 0; i < 100000; ++i) input += "1 a@a@";
  for (int i = 0; i < 50000; ++i) input += "6222 0212 ";
  input += std::string(200000, '8');
  const auto start = std::chrono::steady_clock::now();
  const MaskResult r = MaskPii(input);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.count, 0);
  EXPECT_LT(elapsed, std::chrono::seconds(2)) << input.size() << " bytes";
}

TEST(PiiKindName, Names) {
  EXPECT_EQ(PiiKindName(PiiKind::kPhone), "PHONE");
  EXPECT_EQ(PiiKindName(PiiKind::kEmail), "EMAIL");
  EXPECT_EQ(PiiKindName(PiiKind::kIdCard), "ID_CARD");
  EXPECT_EQ(PiiKindName(PiiKind::kBankCard), "BANK_CARD");
}

}  // namespace
}  // namespace fbl::text
