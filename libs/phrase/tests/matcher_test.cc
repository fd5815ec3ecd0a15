// The phrase engine on its own (the red-alert tests exercise it through
// libs/redalert): evidence spans of literal terms and patterns, negation
// exceptions, and what MatchOptions leaves out. Texts are real reviews from
// shared/data/waimai_10k.csv unless marked hand-written; the rules are
// hand-written for the test.
#include "libs/phrase/matcher.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace fbl::phrase {
namespace {

std::shared_ptr<const Matcher> Make(const PhraseSet& set) {
  auto m = Matcher::Create(set);
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? *m : nullptr;
}

// waimai_10k.csv: a term twice, separated by punctuation, plus a pattern.
constexpr std::string_view kSlow = "说实话肉卷很好吃,就是送餐速度太慢了,不是一般的慢,希望送餐速度有待提高";

TEST(PhraseMatcherTest, LiteralTermsQuoteEveryOccurrenceAtItsOffset) {
  PhraseSet set;
  set.rules.push_back({.id = "delivery", .terms = {"送餐速度"}});
  set.rules.push_back({.id = "slow", .patterns = {"(太|很)慢"}});
  auto m = Make(set);
  ASSERT_NE(m, nullptr);
  const Result r = m->Match(kSlow);
  ASSERT_EQ(r.evidences.size(), 3u);
  const std::string text(kSlow);
  // Text order: 送餐速度, 太慢, 送餐速度.
  EXPECT_EQ(r.evidences[0].rule, 0);
  EXPECT_EQ(r.evidences[0].matched, "送餐速度");
  EXPECT_EQ(r.evidences[0].offset, text.find("送餐速度"));
  EXPECT_EQ(r.evidences[0].length, std::string("送餐速度").size());
  EXPECT_EQ(r.evidences[1].rule, 1);
  EXPECT_EQ(r.evidences[1].matched, "太慢");
  EXPECT_EQ(r.evidences[1].offset, text.find("太慢"));
  EXPECT_EQ(r.evidences[2].rule, 0);
  EXPECT_EQ(r.evidences[2].offset, text.rfind("送餐速度"));
  for (const Evidence& e : r.evidences) {
    EXPECT_EQ(text.substr(e.offset, e.length), e.matched);
    EXPECT_NE(e.snippet.find(e.matched), std::string::npos);
  }
}

TEST(PhraseMatcherTest, LiteralSpansMapBackThroughFolding) {
  // Hand-written: spaces, full-width punctuation and traditional characters
  // inside the term; the evidence quotes the original bytes.
  PhraseSet set;
  set.rules.push_back({.id = "delivery", .terms = {"送餐太慢"}});
  auto m = Make(set);
  ASSERT_NE(m, nullptr);
  const std::string text = "今天 送 餐－太 慢！";
  const Result r = m->Match(text);
  ASSERT_EQ(r.evidences.size(), 1u);
  EXPECT_EQ(r.evidences[0].matched, "送 餐－太 慢");
  EXPECT_EQ(r.evidences[0].offset, text.find("送"));
  EXPECT_EQ(m->Match("送餐太慢").evidences.size(), 1u);
}

TEST(PhraseMatcherTest, NegationExceptionsMaskTheirCue) {
  PhraseSet set;
  set.negations = {"没", "不是"};
  set.negation_exceptions = {"没想到"};
  set.rules.push_back({.id = "tasty", .terms = {"好吃"}});
  set.rules.push_back({.id = "smoked", .terms = {"熏肉"}});
  auto m = Make(set);
  ASSERT_NE(m, nullptr);
  // waimai_10k.csv: "没想到" is no negation.
  EXPECT_EQ(m->Match("没想到这么好吃，好评！！！").evidences.size(), 1u);
  const Result smoked = m->Match("没想到是熏肉，不太喜欢");
  ASSERT_EQ(smoked.evidences.size(), 1u);
  EXPECT_EQ(smoked.evidences[0].matched, "熏肉");
  // waimai_10k.csv: a bare "没" right before the term negates it.
  const Result r = m->Match("送餐挺快的，送餐员也不错，不过感觉饭没有卷饼好吃。");
  EXPECT_EQ(r.evidences.size(), 1u);  // 好吃 after 没有卷饼 is 4 code points away: too far for "没".
  const Result negated = m->Match("饭没好吃的");  // Hand-written.
  EXPECT_TRUE(negated.evidences.empty());
  ASSERT_EQ(negated.suppressed.size(), 1u);
  EXPECT_EQ(negated.suppressed[0].reason, SuppressReason::kNegated);
  EXPECT_EQ(negated.suppressed[0].detail, "没");
}

TEST(PhraseMatcherTest, OptionsLeaveOutSnippetsAndSuppressedHits) {
  PhraseSet set;
  set.negations = {"不是"};
  set.rules.push_back({.id = "delivery", .terms = {"送餐速度"}});
  set.rules.push_back({.id = "slow", .terms = {"一般的慢"}});
  auto m = Make(set);
  ASSERT_NE(m, nullptr);
  const Result all = m->Match(kSlow);
  const Result lean = m->Match(kSlow, {.snippets = false, .suppressed = false});
  ASSERT_EQ(all.suppressed.size(), 1u);  // 不是一般的慢
  EXPECT_TRUE(lean.suppressed.empty());
  ASSERT_EQ(all.evidences.size(), lean.evidences.size());
  for (size_t i = 0; i < all.evidences.size(); ++i) {
    EXPECT_EQ(all.evidences[i].rule, lean.evidences[i].rule);
    EXPECT_EQ(all.evidences[i].matched, lean.evidences[i].matched);
    EXPECT_EQ(all.evidences[i].offset, lean.evidences[i].offset);
    EXPECT_FALSE(all.evidences[i].snippet.empty());
    EXPECT_TRUE(lean.evidences[i].snippet.empty());
  }
}

}  // namespace
}  // namespace fbl::phrase
