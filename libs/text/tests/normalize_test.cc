#include "libs/text/normalize.h"

#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace fbl::text {
namespace {

class NormalizerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto normalizer = Normalizer::Create();
    ASSERT_TRUE(normalizer.ok()) << normalizer.status();
    normalizer_.emplace(*normalizer);
  }
  std::string N(std::string_view s) const { return normalizer_->Normalize(s); }

  std::optional<Normalizer> normalizer_;
};

TEST_F(NormalizerTest, FullWidthAsciiBecomesLowerCaseAscii) {
  EXPECT_EQ(N("ＡＢＣ１２３"), "abc123");
  EXPECT_EQ(N("ｉＰｈｏｎｅ　１３　Ｐｒｏ"), "iphone 13 pro");
  EXPECT_EQ(N("太差了！！！"), "太差了!!!");  // full-width punctuation
}

TEST_F(NormalizerTest, CaseFolding) {
  EXPECT_EQ(N("Doesn't WORK"), "doesn't work");
  EXPECT_EQ(N("STRASSE Straße"), "strasse strasse");
}

TEST_F(NormalizerTest, StripsBomFromRealReview) {
  // online_shopping_10_cats.csv (书籍), first row starts with a stray U+FEFF.
  EXPECT_EQ(N("\xEF\xBB\xBF做父母一定要有刘墉这样的心态"), "做父母一定要有刘墉这样的心态");
}

TEST_F(NormalizerTest, CollapsesAndTrimsWhitespace) {
  EXPECT_EQ(N("  送餐\t\t超级慢 \n\r 饭都凉了　　"), "送餐 超级慢 饭都凉了");
  EXPECT_EQ(N("\xC2\xA0" "a\xE2\x80\x83" "b\x07" "c"), "a b c");  // NBSP, EM SPACE, BEL
  EXPECT_EQ(N(" \t　"), "");
  EXPECT_EQ(N(""), "");
}

TEST_F(NormalizerTest, CompatibilityLookAlikeTricks) {
  // Half-width katakana -> full-width; circled and parenthesised digits.
  EXPECT_EQ(N("ｶﾀｶﾅ"), "カタカナ");
  EXPECT_EQ(N("①②③"), "123");
  EXPECT_EQ(N("⑴"), "(1)");
  // Kangxi radical U+2F00 and CJK compatibility ideograph U+F90A look like
  // 一 and 金 but are different code points.
  EXPECT_EQ(N("\xE2\xBC\x80"), "一");
  EXPECT_EQ(N("\xEF\xA4\x8A"), "金");
  // Zero-width space and soft hyphen used to split words are removed.
  EXPECT_EQ(N("安\xE2\x80\x8B全"), "安全");
  EXPECT_EQ(N("退\xC2\xAD款"), "退款");
  // Ligatures / superscripts.
  EXPECT_EQ(N("ﬁx ²"), "fix 2");
}

TEST_F(NormalizerTest, InvalidUtf8BecomesReplacementChar) {
  EXPECT_EQ(N("a\xC0\xAF" "b"), "a\xEF\xBF\xBD\xEF\xBF\xBD" "b");
}

TEST_F(NormalizerTest, TraditionalChineseIsKept) {
  EXPECT_EQ(N("質量很差"), "質量很差");
}

TEST_F(NormalizerTest, ThreadSafeConcurrentUse) {
  std::vector<std::thread> threads;
  std::vector<std::string> results(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) results[t] = N("ＡＢＣ　送餐　慢");
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& r : results) EXPECT_EQ(r, "abc 送餐 慢");
}

TEST(Compact, RemovesWhitespacePunctuationAndSymbols) {
  EXPECT_EQ(Compact("安 全"), "安全");
  EXPECT_EQ(Compact("安-全"), "安全");
  EXPECT_EQ(Compact("安★全♥"), "安全");
  EXPECT_EQ(Compact("安，全。「退款」"), "安全退款");
  EXPECT_EQ(Compact("$100 + 5% off!"), "1005off");
  EXPECT_EQ(Compact("a\tb\x01" "c\xE2\x80\x8D" "d"), "abcd");  // control, ZWJ
  EXPECT_EQ(Compact("有问题!!!"), "有问题");
  EXPECT_EQ(Compact(""), "");
}

TEST_F(NormalizerTest, NormalizeThenCompactDefeatsSpacingTricks) {
  EXPECT_EQ(Compact(N("退　款")), Compact(N("退-款")));
  EXPECT_EQ(Compact(N("退　款")), "退款");
  EXPECT_EQ(Compact(N("Ｒｅｆｕｎｄ！")), "refund");
}

}  // namespace
}  // namespace fbl::text
