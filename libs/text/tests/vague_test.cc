#include "libs/text/vague.h"

#include <optional>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/text/normalize.h"

namespace fbl::text {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Not;

class VagueDetectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto normalizer = Normalizer::Create();
    ASSERT_TRUE(normalizer.ok()) << normalizer.status();
    normalizer_.emplace(*normalizer);
  }
  std::vector<VagueReason> Check(std::string_view raw) const {
    return detector_.Check(normalizer_->Normalize(raw));
  }

  std::optional<Normalizer> normalizer_;
  VagueDetector detector_;  // default config
};

TEST_F(VagueDetectorTest, GenericPhrasesOnly) {
  EXPECT_THAT(Check("不好用"), ElementsAre(VagueReason::kTooShort, VagueReason::kNoSymptom,
                                           VagueReason::kGenericPhraseOnly));
  EXPECT_THAT(Check("有问题!!!"), Contains(VagueReason::kGenericPhraseOnly));
  EXPECT_THAT(Check("有问题！！！"), Contains(VagueReason::kGenericPhraseOnly));
  EXPECT_THAT(Check("差评差评差评，太差了吧"), Contains(VagueReason::kGenericPhraseOnly));
  EXPECT_THAT(Check("Doesn't work!!"), Contains(VagueReason::kGenericPhraseOnly));
  EXPECT_THAT(Check("This is USELESS"), Contains(VagueReason::kGenericPhraseOnly));
  EXPECT_THAT(Check("ｎｏｔ　ｇｏｏｄ"), Contains(VagueReason::kGenericPhraseOnly));
  EXPECT_THAT(Check("不 好 用"), Contains(VagueReason::kGenericPhraseOnly));
}

TEST_F(VagueDetectorTest, GenericPhraseWithIntensifiersIsLongEnoughButStillGeneric) {
  // 9 code points: not too short, but nothing beyond generic words.
  EXPECT_THAT(Check("这个东西真的很垃圾啊"),
              ElementsAre(VagueReason::kNoSymptom, VagueReason::kGenericPhraseOnly));
}

TEST_F(VagueDetectorTest, TooShort) {
  EXPECT_THAT(Check("好"), ElementsAre(VagueReason::kTooShort, VagueReason::kNoSymptom));
  EXPECT_THAT(Check(""), ElementsAre(VagueReason::kTooShort, VagueReason::kNoSymptom));
  EXPECT_THAT(Check("！！！"), Not(Contains(VagueReason::kGenericPhraseOnly)));
  // A symptom word makes it specific, but it is still short.
  EXPECT_THAT(Check("很卡"), ElementsAre(VagueReason::kTooShort));
  // Punctuation and spaces do not count towards the length.
  EXPECT_THAT(Check("慢 。。。 ！！"), Contains(VagueReason::kTooShort));
}

TEST_F(VagueDetectorTest, NoSymptomInShortText) {
  // online_shopping_10_cats.csv (平板): angry but says nothing about what failed.
  EXPECT_THAT(Check("以后再不买华为了，伤透了心?！"), ElementsAre(VagueReason::kNoSymptom));
}

TEST_F(VagueDetectorTest, RealSpecificReviewsAreNotVague) {
  // waimai_10k.csv, negative reviews.
  EXPECT_THAT(Check("送餐超级慢,用了一个小时四十多分钟,送过来的时候都凉了"), IsEmpty());
  EXPECT_THAT(Check("等太久了，饭都凉了"), IsEmpty());
  // online_shopping_10_cats.csv (衣服).
  EXPECT_THAT(Check("三件不一样长 都是M码 还不一样 不一样、给差评 就是尺寸不规则"), IsEmpty());
  // waimai_10k.csv: long, no listed symptom word -> benefit of the doubt.
  EXPECT_THAT(Check("第一次下单付款不接单说无法送达，第二下单又能送了，这接单还要看商家心情？"
                    "不过吃的还是一如既往的好"),
              IsEmpty());
}

TEST(VagueDetector, CustomConfig) {
  VagueConfig config;
  config.min_chars = 2;
  config.generic_phrases = {"meh"};
  config.filler_terms = {};
  config.symptom_terms = {"STUCK"};  // folded to lower case
  const VagueDetector detector(config);
  EXPECT_THAT(detector.Check("meh meh"), ElementsAre(VagueReason::kNoSymptom,
                                                     VagueReason::kGenericPhraseOnly));
  EXPECT_THAT(detector.Check("stuck"), IsEmpty());
  EXPECT_THAT(detector.Check("不好用"), ElementsAre(VagueReason::kNoSymptom));
}

TEST(VagueHint, BilingualPrompt) {
  EXPECT_EQ(VagueHint({}), "");
  const std::string hint = VagueHint({VagueReason::kGenericPhraseOnly});
  EXPECT_EQ(hint,
            "请补充具体场景、现象、设备型号或版本 / Please describe when it happens, what you "
            "see, and the model or version");
  EXPECT_THAT(VagueHint({VagueReason::kTooShort}), ::testing::HasSubstr("请补充具体场景"));
  EXPECT_EQ(VagueReasonName(VagueReason::kNoSymptom), "no_symptom");
}

}  // namespace
}  // namespace fbl::text
