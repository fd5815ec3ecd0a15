#include "libs/redalert/matcher.h"

#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/redalert/tests/test_util.h"
#include "libs/text/utf8.h"

namespace fbl::redalert {
namespace {

using ::testing::HasSubstr;
using testing::ProductionMatcher;

class MatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    matcher_ = ProductionMatcher();
    ASSERT_NE(matcher_, nullptr);
  }
  MatchResult Match(const std::string& text) const { return matcher_->Match(text); }
  std::shared_ptr<const Matcher> matcher_;
};

bool HasSuppressed(const MatchResult& r, SuppressReason reason, const std::string& detail) {
  for (const Suppressed& s : r.suppressed) {
    if (s.reason == reason && (detail.empty() || s.detail == detail)) return true;
  }
  return false;
}

// --- each category fires on a real example ---------------------------------

TEST_F(MatcherTest, SafetyBrakeFailureFromCarComplaints) {
  // car_complaints.csv, id 570989.
  MatchResult r = Match("新宝骏RS-5刹车失灵 仪表盘上制动故障灯亮");
  ASSERT_TRUE(r.alert);
  EXPECT_EQ(r.category, Category::kSafety);
  EXPECT_EQ(r.severity, Severity::kSev1);
  ASSERT_FALSE(r.evidences.empty());
  EXPECT_EQ(r.evidences[0].rule_id, "safety.brake_failure");
  EXPECT_EQ(r.evidences[0].matched, "刹车失灵");
}

TEST_F(MatcherTest, SafetyFireFromNhtsa) {
  // nhtsa_complaints_sample_en.csv, cmplid 84.
  MatchResult r = Match(
      "WHILE DRIVING, NOTICED SMOKE COMING FROM UNDER HOOD, THEN ENGINE CAUGHT FIRE, FIRE DEPT SUSPECTS "
      "ELECTRIAL SYSTEM AS CULPRIT.  TT");
  ASSERT_TRUE(r.alert);
  EXPECT_EQ(r.category, Category::kSafety);
  bool caught_fire = false;
  for (const Evidence& e : r.evidences) caught_fire |= e.matched == "CAUGHT FIRE";
  EXPECT_TRUE(caught_fire);
}

TEST_F(MatcherTest, SafetyExplosionFromShopping) {
  // online_shopping_10_cats.csv, 平板, a charger that exploded.
  MatchResult r = Match(
      "垃圾死，没买多久卡槽旁边就翘角了说退货不给我退货，还叫我自己拿去华为专营店鉴定，好了现在又充电器爆炸了，"
      "用了那么久的华为第一次出现爆炸，手机有时候用着超级烫我都害怕会自己爆炸");
  ASSERT_TRUE(r.alert);
  EXPECT_EQ(r.category, Category::kSafety);
  // "害怕会自己爆炸" is fear, not an incident: suppressed, the others stand.
  EXPECT_TRUE(HasSuppressed(r, SuppressReason::kNegated, "害怕"));
}

TEST_F(MatcherTest, InjuryFoodPoisoningFromWaimai) {
  // waimai_10k.csv.
  MatchResult r = Match("非常非常差，时间太长，味道不好，吃了第二天早上蹲了一上午厕所，食物中毒。");
  ASSERT_TRUE(r.alert);
  EXPECT_EQ(r.category, Category::kInjuryHealth);
  EXPECT_EQ(r.severity, Severity::kSev1);
}

TEST_F(MatcherTest, InjuryAllergyFromShopping) {
  // online_shopping_10_cats.csv, 衣服.
  MatchResult r = Match("我老公穿了以后全身过敏，以前从来没过敏过。真怀疑这裤子里有什么化学成份在？");
  ASSERT_TRUE(r.alert);
  EXPECT_EQ(r.category, Category::kInjuryHealth);
  // "从来没过敏过" is negated, "全身过敏" is not.
  EXPECT_TRUE(HasSuppressed(r, SuppressReason::kNegated, ""));
}

TEST_F(MatcherTest, FraudFromBlackCat) {
  // blackcat_complaints.csv, 出行唯选.
  MatchResult r = Match("出行唯选涉嫌故意欺诈顾客\n10月17号，在兰州机场，一位穿着航空制服的女士，说是可以帮我取票");
  ASSERT_TRUE(r.alert);
  EXPECT_EQ(r.category, Category::kFraud);
  EXPECT_EQ(r.severity, Severity::kSev2);
}

TEST_F(MatcherTest, FraudUnauthorisedChargeFromBlackCat) {
  // blackcat_complaints.csv, 招商银行金葵花卡.
  MatchResult r = Match("使用招商银行的金葵花卡，在未经过客户允许和知情的情况下招商银行就进行了扣费。");
  ASSERT_TRUE(r.alert);
  EXPECT_EQ(r.category, Category::kFraud);
  EXPECT_EQ(r.evidences[0].rule_id, "fraud.unauthorized_charge");
}

TEST_F(MatcherTest, FraudEnglishFromTweets) {
  // complaint_tweets_en.csv, tweet 954257399774244865.
  MatchResult r = Match(
      "@AskeBay I have been scammed on ebay and cannot find out how to contact you to attempt a resolution to "
      "the problem.");
  ASSERT_TRUE(r.alert);
  EXPECT_EQ(r.category, Category::kFraud);
  EXPECT_EQ(r.evidences[0].matched, "scammed");
}

TEST_F(MatcherTest, PublicEscalationFromShopping) {
  // online_shopping_10_cats.csv, 平板.
  MatchResult r = Match(
      "必须差评，一颗星都不想给，帮同事购买的，店大欺客，说好的三样赠品一样都没有，联系客服不承认，已打12315投诉，"
      "希望有当时赠品截图的能够联系我。");
  ASSERT_TRUE(r.alert);
  EXPECT_EQ(r.category, Category::kPublicEscalation);
  EXPECT_EQ(r.evidences[0].matched, "12315");
}

// --- negations --------------------------------------------------------------

TEST_F(MatcherTest, NegationsSuppress) {
  EXPECT_FALSE(Match("没有安全问题，放心").alert);
  MatchResult r = Match("充电的时候很烫，但是没有发生爆炸");
  EXPECT_FALSE(r.alert);
  EXPECT_TRUE(HasSuppressed(r, SuppressReason::kNegated, "没有"));
  EXPECT_FALSE(Match("There was no fire and no smoke.").alert);
  EXPECT_TRUE(HasSuppressed(Match("no smoke at all"), SuppressReason::kNegated, "no"));
  EXPECT_FALSE(Match("苹果没有受伤的，味道也不错！").alert);  // online_shopping 水果
  EXPECT_FALSE(Match("充电器充电时很烫，都不敢晚上充电，怕起火。").alert);  // online_shopping 平板
}

TEST_F(MatcherTest, NegationDoesNotCrossClauses) {
  EXPECT_TRUE(Match("没有人管，后来起火了").alert);
  EXPECT_TRUE(Match("No reply for days. The car caught fire yesterday.").alert);
}

TEST_F(MatcherTest, PseudoNegationsDoNotSuppress) {
  EXPECT_TRUE(Match("没想到充电器爆炸了").alert);
  EXPECT_TRUE(Match("买了没多久就自燃了").alert);
  EXPECT_TRUE(Match("电动车无故起火").alert);
  EXPECT_TRUE(Match("这不是欺诈吗").alert);
}

// --- harmless uses ----------------------------------------------------------

TEST_F(MatcherTest, HarmlessUsesDoNotAlert) {
  EXPECT_FALSE(Match("酒店很安全，服务也好").alert);
  EXPECT_FALSE(Match("房间有安全感，周围安静").alert);
  EXPECT_FALSE(Match("I watch Hulu on my Fire TV every night").alert);
  EXPECT_FALSE(Match("反正315房间的空调对这门吹，房间还是很冷").alert);  // ChnSentiCorp_htl_all
  EXPECT_FALSE(Match("D9摄像头像素： 315万像素 并支持自动变焦").alert);   // online_shopping 手机
  EXPECT_FALSE(Match("我要投诉你们").alert);
  EXPECT_FALSE(Match("烂到爆炸，系统超慢").alert);  // online_shopping 平板
  EXPECT_FALSE(Match("还有自动曝光补偿功能").alert);
  MatchResult r = Match("打开包装后不单果子受伤，内心也很受伤");  // online_shopping 水果
  EXPECT_FALSE(r.alert);
  EXPECT_TRUE(HasSuppressed(r, SuppressReason::kHarmless, "很受伤"));
  MatchResult s = Match("The smoke detector beeps all night");
  EXPECT_FALSE(s.alert);
  EXPECT_TRUE(HasSuppressed(s, SuppressReason::kHarmless, "smoke detector"));
  EXPECT_FALSE(Match("订单号0123150请尽快发货").alert);
  EXPECT_FALSE(Match("上汽大众途铠电瓶长期低电量报警").alert);  // car_complaints 570944
}

TEST_F(MatcherTest, RequireContext) {
  MatchResult book = Match("里面的妈妈很执着，爸爸基本正常，律师也很有意思");  // online_shopping 书籍
  EXPECT_FALSE(book.alert);
  EXPECT_TRUE(HasSuppressed(book, SuppressReason::kMissingContext, ""));
  EXPECT_TRUE(Match("我会联系相关律师咨询").alert);
  EXPECT_FALSE(Match("Hey @Wendys, you gave me a BLT and I asked for a double stack, see you in court.").alert);
}

// --- width, spacing, punctuation and traditional characters ---------------

TEST_F(MatcherTest, SpacingAndPunctuationTricks) {
  for (const char* text : {"刹 车 失 灵", "刹-车-失-灵", "刹\u200b车\u200b失\u200b灵", "刹★车☆失◆灵", "刹车，失灵"}) {
    MatchResult r = Match(text);
    EXPECT_TRUE(r.alert) << text;
    EXPECT_EQ(r.category, Category::kSafety) << text;
  }
  EXPECT_TRUE(Match("Ｉ ｗａｓ ＳＣＡＭＭＥＤ").alert);
  EXPECT_TRUE(Match("the car caught ｆｉｒｅ").alert);
  EXPECT_TRUE(Match("已打１２３１５投诉").alert);
}

TEST_F(MatcherTest, TraditionalIsFolded) {
  MatchResult brake = Match("煞車失靈，差點撞車");
  ASSERT_TRUE(brake.alert);
  EXPECT_EQ(brake.category, Category::kSafety);
  MatchResult scam = Match("這是詐騙");
  ASSERT_TRUE(scam.alert);
  EXPECT_EQ(scam.category, Category::kFraud);
  EXPECT_EQ(scam.evidences[0].matched, "詐騙");  // quoted from the original text
  MatchResult allergy = Match("用了以後全身過敏");
  ASSERT_TRUE(allergy.alert);
  EXPECT_EQ(allergy.category, Category::kInjuryHealth);
  EXPECT_TRUE(Match("電池爆炸了").alert);
}

// --- severity and evidence --------------------------------------------------

TEST_F(MatcherTest, HighestSeverityWinsAndAllEvidenceIsListed) {
  MatchResult r = Match("商家欺诈，我已经打了12315，现在刹车失灵差点出事");
  ASSERT_TRUE(r.alert);
  EXPECT_EQ(r.category, Category::kSafety);
  EXPECT_EQ(r.severity, Severity::kSev1);
  std::vector<std::string> rules;
  for (const Evidence& e : r.evidences) rules.push_back(e.rule_id);
  EXPECT_THAT(rules, ::testing::ElementsAre("fraud.scam", "public.regulator", "safety.brake_failure"));
  // Same severity: the earlier category in the enum wins (fraud before public).
  MatchResult tie = Match("已经打了12315，这是欺诈");
  EXPECT_EQ(tie.category, Category::kFraud);
}

TEST_F(MatcherTest, EvidenceOffsetsAndSnippetsQuoteTheOriginal) {
  const std::string text = "我的车 刹 车 失 灵 了";
  MatchResult r = Match(text);
  ASSERT_TRUE(r.alert);
  const Evidence& e = r.evidences[0];
  EXPECT_EQ(e.matched, "刹 车 失 灵");
  EXPECT_EQ(e.offset, text.find("刹"));
  EXPECT_EQ(e.length, std::string("刹 车 失 灵").size());
  EXPECT_EQ(text.substr(e.offset, e.length), e.matched);
  EXPECT_EQ(e.snippet, text);
  EXPECT_EQ(e.term, "刹车失灵");

  std::string long_text;
  for (int i = 0; i < 60; ++i) long_text += "好";
  long_text += "食物中毒";
  for (int i = 0; i < 60; ++i) long_text += "差";
  MatchResult l = Match(long_text);
  ASSERT_TRUE(l.alert);
  EXPECT_LE(text::CodePointCount(l.evidences[0].snippet), 40u);
  EXPECT_THAT(l.evidences[0].snippet, HasSubstr("食物中毒"));
  EXPECT_EQ(l.evidences[0].offset, 60u * 3);
}

TEST_F(MatcherTest, ConcurrentMatchesAgree) {
  const std::vector<std::string> texts = {"刹车失灵", "酒店很安全", "這是詐騙", "已打12315投诉", "I was scammed",
                                          "没有发生爆炸"};
  std::vector<bool> expected;
  for (const std::string& t : texts) expected.push_back(Match(t).alert);
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        const size_t k = static_cast<size_t>(i) % texts.size();
        if (matcher_->Match(texts[k]).alert != expected[k]) ++mismatches[t];
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

TEST_F(MatcherTest, EmptyAndInvalidInputNeverCrash) {
  EXPECT_FALSE(Match("").alert);
  EXPECT_FALSE(Match(std::string("\xff\xfe\x80", 3)).alert);
  EXPECT_TRUE(Match(std::string("\xff") + "刹车失灵").alert);
}

// --- compilation errors -----------------------------------------------------

TEST(MatcherCreateTest, BadPatternNamesTheRule) {
  absl::StatusOr<RuleSet> rules = ParseRuleSet(R"(
version: "t1"
categories:
  safety:
    severity: sev1
    rules:
      - id: s.broken
        patterns: ["(起火"]
)",
                                               "bad.yaml");
  ASSERT_TRUE(rules.ok()) << rules.status();
  absl::StatusOr<std::shared_ptr<const Matcher>> m = Matcher::Create(*rules);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(m.status().message(), HasSubstr("rule 's.broken'"));
}

TEST(MatcherCreateTest, TermOfPunctuationOnlyIsRefused) {
  absl::StatusOr<RuleSet> rules = ParseRuleSet(R"(
version: "t1"
categories:
  safety:
    severity: sev1
    rules: [{id: s.dots, terms: ["。。。"]}]
)",
                                               "dots.yaml");
  ASSERT_TRUE(rules.ok()) << rules.status();
  absl::StatusOr<std::shared_ptr<const Matcher>> m = Matcher::Create(*rules);
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(m.status().message(), HasSubstr("folds to nothing"));
}

TEST(MatcherCreateTest, VersionAndCounts) {
  absl::StatusOr<RuleSet> rules = ParseRuleSet(R"(
version: "t9"
categories:
  fraud:
    severity: sev2
    rules: [{id: f.a, terms: [诈骗]}, {id: f.b, terms: [scam]}]
)",
                                               "v.yaml");
  ASSERT_TRUE(rules.ok()) << rules.status();
  absl::StatusOr<std::shared_ptr<const Matcher>> m = Matcher::Create(*rules);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ((*m)->version(), "t9");
  EXPECT_EQ((*m)->rule_count(), 2u);
  EXPECT_EQ((*m)->SeverityOf(Category::kFraud), Severity::kSev2);
  EXPECT_EQ((*m)->SeverityOf(Category::kSafety), Severity::kUnspecified);
}

}  // namespace
}  // namespace fbl::redalert
