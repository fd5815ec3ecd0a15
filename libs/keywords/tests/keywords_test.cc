#include "libs/keywords/keywords.h"

#include <cstdint>
#include <cstdio>
#include <algorithm>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/dataset/csv_reader.h"
#include "libs/text/pii.h"

namespace fbl::keywords {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// Function words that must never become terms (all in the stop list, or
// single characters that are not in the meaningful-singles list).
const std::vector<std::string> kNeverTerms = {"的", "了", "是", "我", "也", "就", "都", "还", "很",
                                              "非常", "一个", "这个", "没有", "什么", "可以", "感觉",
                                              "觉得", "东西", "但是", "因为", "the", "and", "to", "i"};

class KeywordsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto e = Extractor::Create(FBL_STOPWORDS);
    ASSERT_TRUE(e.ok()) << e.status();
    extractor_ = std::move(e).value().release();
  }
  static void TearDownTestSuite() {
    delete extractor_;
    extractor_ = nullptr;
  }
  static std::vector<std::string> Terms(std::string_view text) { return extractor_->Terms(text); }

  // The text column of a dataset, or empty (the caller skips) if absent.
  static std::vector<std::string> Column(const std::string& file, const std::string& column,
                                         const std::string& label = "") {
    std::vector<std::string> out;
    auto table = dataset::ReadCsvFile(std::string(FBL_DATA_DIR) + "/" + file);
    if (!table.ok()) return out;
    const int c = table->Column(column);
    const int l = table->Column("label");
    for (const dataset::CsvRow& row : table->rows) {
      if (c < 0 || static_cast<int>(row.fields.size()) <= c) continue;
      if (!label.empty() && (l < 0 || row.fields[l] != label)) continue;
      out.push_back(row.fields[c]);
    }
    return out;
  }

  static Extractor* extractor_;
};

Extractor* KeywordsTest::extractor_ = nullptr;

// --- Chinese, real reviews (quoted verbatim from /work/shared/data) ---------

TEST_F(KeywordsTest, CrashReviewFromOnlineShopping) {
  // online_shopping_10_cats.csv, 平板, label 1.
  const auto terms = Terms("华为的最大特点通话质量好，应该是原封的，缺点是游戏会闪退，大黑边，不过很满意。");
  EXPECT_THAT(terms, ElementsAre("华为", "最大", "特点", "通话", "质量", "原封", "缺点", "游戏", "闪退", "黑边", "满意"));
}

TEST_F(KeywordsTest, LagReviewFromOnlineShopping) {
  // online_shopping_10_cats.csv, 平板, label 1.
  EXPECT_THAT(Terms("做工精良，屏幕清晰，就是会经常出现卡顿"), ElementsAre("做工", "精良", "屏幕", "清晰", "卡顿"));
  // The brand name Harman Kardon (哈曼卡顿) is one term, not the complaint 卡顿.
  EXPECT_THAT(Terms("非常好用，屏幕清晰，哈曼卡顿好，就是保护膜难贴"),
              ElementsAre("好用", "屏幕", "清晰", "哈曼卡顿", "保护膜"));
}

TEST_F(KeywordsTest, DeliveryReviewsFromWaimai) {
  // waimai_10k.csv, label 0.
  EXPECT_THAT(Terms("送餐太慢，每次都超时，商家都在催促"), ElementsAre("送餐", "慢", "超时", "商家", "催促"));
  EXPECT_THAT(Terms("等了2个小时，送餐员找不到餐厅，菜等得都凉了。希望改进。"),
              ElementsAre("小时", "送餐员", "找不到", "餐厅", "凉", "改进"));
  const auto terms = Terms(
      "送餐送错，还狡辩不给补偿，送餐时间3个小时，百度送餐员更是素质卑劣，额外还要加收17元的外送费。"
      "百度客服也没用，也没有解决！");
  EXPECT_THAT(terms, ElementsAre("送餐", "送错", "狡辩", "补偿", "小时", "百度", "送餐员", "素质", "卑劣", "额外",
                                 "加收", "外送", "客服", "解决"));
}

TEST_F(KeywordsTest, ServiceAttitudeReviewFromHotels) {
  // ChnSentiCorp_htl_all.csv, label 0.
  EXPECT_THAT(Terms("酒店服务态度极差，设施很差，建议还是不要到那儿去。"),
              ElementsAre("酒店", "服务", "态度", "差", "设施", "建议"));
}

TEST_F(KeywordsTest, NegationStaysWithItsWord) {
  // waimai_10k.csv, label 0: "不好吃" must not count as "好吃".
  const auto terms = Terms("感觉不太好吃，价格贵。但是百度外卖的送餐人员态度很好！");
  EXPECT_THAT(terms, Not(Contains("好吃")));
  EXPECT_THAT(terms, AllOf(Contains("贵"), Contains("外卖"), Contains("送餐"), Contains("态度")));
  // waimai_10k.csv, label 0: ICU's 也不 / 不怎么 tokens.
  EXPECT_THAT(Terms("量有点小，肉也不怎么好吃，主要是酱好"), ElementsAre("不好吃"));
  // Hand-written.
  EXPECT_THAT(Terms("菜不新鲜，饭没送到，汤都不热，一点也不好吃"), ElementsAre("不新鲜", "没送到", "不热", "不好吃"));
  EXPECT_THAT(Terms("不是太好吃，不是米饭"), ElementsAre("不好吃", "米饭"));
}

TEST_F(KeywordsTest, EachTermOncePerText) {
  // Hand-written: document frequency, not occurrences.
  EXPECT_THAT(Terms("送餐慢！送餐慢！！送餐太慢了"), ElementsAre("送餐", "慢"));
}

TEST_F(KeywordsTest, TraditionalFullWidthAndCaseAreFolded) {
  // Hand-written variants of the same words.
  EXPECT_THAT(Terms("服務態度很差，ＷｉＦｉ太慢"), ElementsAre("服务", "态度", "差", "wifi", "慢"));
}

// --- English and mixed ------------------------------------------------------

TEST_F(KeywordsTest, EnglishTweets) {
  // complaint_tweets_en.csv, complaint_label 1: handles, URL and stop words go.
  EXPECT_THAT(Terms(".@nvidiacc @NVIDIAQuadro CUDA driver Lion update, please? http://t.co/cil6HT1"),
              ElementsAre("cuda", "driver", "lion", "update"));
  EXPECT_THAT(Terms("Dear @nvidia, I don't think I should have to roll back to driver v270.61 to make my games "
                    "work, and my desktop not glitch out."),
              ElementsAre("roll", "back", "driver", "games", "work", "desktop", "glitch"));
}

TEST_F(KeywordsTest, MixedChineseAndEnglish) {
  // online_shopping_10_cats.csv, 平板: numbers and "3g"/"16g" (one letter) go.
  EXPECT_THAT(Terms("华为(HUAWEI)M2 8.0英寸 平板电脑1920×1200 麒麟930 哈曼卡顿音效 3G/16G WiFi)月光银 ￥999 很好"),
              ElementsAre("华为", "huawei", "英寸", "平板", "电脑", "麒麟", "哈曼卡顿", "音效", "wifi", "月光"));
}

TEST_F(KeywordsTest, EmojiNumbersAndPunctuationAreDropped) {
  // Hand-written.
  EXPECT_THAT(Terms("😡😡送餐慢 123 ！！！ ... 2小时 ~~ ★★★"), ElementsAre("送餐", "慢", "小时"));
  EXPECT_THAT(Terms("😡 123 ！！ ... ★"), IsEmpty());
}

// --- PII placeholders ---------------------------------------------------------

TEST_F(KeywordsTest, PiiPlaceholdersNeverBecomeTerms) {
  // Hand-written: one of each kind (the ID number is the standard example with
  // a valid check character; the card number is the Visa test number).
  const text::MaskResult masked = text::MaskPii(
      "送餐员态度很差，我的电话13800138000，邮箱zhang.san@example.com，身份证11010519491231002X，"
      "please refund 4111 1111 1111 1111");
  ASSERT_EQ(masked.count, 4) << masked.text;
  const auto terms = Terms(masked.text);
  for (const char* w : {"phone", "email", "id", "card", "id_card", "bank", "bank_card", "[phone]"}) {
    EXPECT_THAT(terms, Not(Contains(w))) << masked.text;
  }
  EXPECT_THAT(terms, AllOf(Contains("送餐员"), Contains("态度"), Contains("差"), Contains("refund")));
  // Any case and full-width brackets fold to the same placeholder.
  EXPECT_THAT(Terms("[PHONE] [email] ［ID_CARD］ [Bank_Card]"), IsEmpty());
  // The words themselves outside a placeholder are ordinary terms.
  EXPECT_THAT(Terms("my phone card broke"), ElementsAre("phone", "card", "broke"));
}

// --- bad input ------------------------------------------------------------------

TEST_F(KeywordsTest, EmptyAndIllFormedUtf8) {
  EXPECT_THAT(Terms(""), IsEmpty());
  EXPECT_THAT(Terms("   \n\t "), IsEmpty());
  EXPECT_THAT(Terms("\xff\xfe\xfd"), IsEmpty());
  EXPECT_THAT(Terms("\xe9\x80"), IsEmpty());  // Truncated sequence.
  // Hand-written: the well-formed parts still count.
  EXPECT_THAT(Terms("送餐\xff太慢\xc0\xaf了"), ElementsAre("送餐", "慢"));
  EXPECT_THAT(Terms(std::string("外卖\0凉了", 13)), ElementsAre("外卖", "凉"));
}

// --- real data, whole files ----------------------------------------------------------

// Share of `texts` with a term that contains `part` (送餐 counts for 送餐员,
// 卡顿 for 不卡顿).
double ShareWithTermContaining(const Extractor& e, const std::vector<std::string>& texts, const std::string& part) {
  int64_t hits = 0;
  for (const std::string& t : texts) {
    for (const std::string& x : e.Terms(t)) {
      if (x.find(part) != std::string::npos) {
        ++hits;
        break;
      }
    }
  }
  return texts.empty() ? 0 : static_cast<double>(hits) / static_cast<double>(texts.size());
}

TEST_F(KeywordsTest, KeyComplaintWordsAreFoundInRealReviews) {
  const auto shopping = Column("online_shopping_10_cats.csv", "review");
  const auto waimai = Column("waimai_10k.csv", "review");
  const auto hotels = Column("ChnSentiCorp_htl_all.csv", "review");
  if (shopping.empty() || waimai.empty() || hotels.empty()) GTEST_SKIP() << "datasets not found in " << FBL_DATA_DIR;
  auto containing = [](const std::vector<std::string>& texts, const std::string& word, const std::string& but_not) {
    std::vector<std::string> out;
    for (const std::string& t : texts) {
      if (t.find(word) != std::string::npos && (but_not.empty() || t.find(but_not) == std::string::npos)) {
        out.push_back(t);
      }
    }
    return out;
  };
  struct Case {
    const std::vector<std::string>* texts;
    std::string word, but_not, term;
    double min_share;
  };
  // Plain ICU finds none of 闪退 卡顿 送餐 (it splits them into characters);
  // the merge finds them unless ICU glued a character to a neighbour
  // (送餐费 -> 送|餐费, which is right: 送 餐费 "delivery fee").
  const Case cases[] = {
      {&shopping, "闪退", "", "闪退", 0.95},
      {&shopping, "卡顿", "哈曼卡顿", "卡顿", 0.95},
      {&waimai, "送餐", "", "送餐", 0.95},
      {&hotels, "服务态度", "", "服务", 0.95},
      {&hotels, "服务态度", "", "态度", 0.95},
  };
  for (const Case& c : cases) {
    const auto texts = containing(*c.texts, c.word, c.but_not);
    ASSERT_GE(texts.size(), 10u) << c.word;
    const double share = ShareWithTermContaining(*extractor_, texts, c.term);
    std::printf("%-8s %5zu reviews, term %-6s in %.1f%%\n", c.word.c_str(), texts.size(), c.term.c_str(),
                100 * share);
    EXPECT_GE(share, c.min_share) << c.word;
  }
}

TEST_F(KeywordsTest, RealTermsAreCleanAndDistinct) {
  const auto waimai = Column("waimai_10k.csv", "review");
  if (waimai.empty()) GTEST_SKIP() << "waimai_10k.csv not found in " << FBL_DATA_DIR;
  const std::set<std::string> never(kNeverTerms.begin(), kNeverTerms.end());
  for (const std::string& t : waimai) {
    const auto terms = Terms(t);
    std::vector<std::string> sorted = terms;
    std::sort(sorted.begin(), sorted.end());
    ASSERT_EQ(std::adjacent_find(sorted.begin(), sorted.end()), sorted.end()) << t;
    for (const std::string& term : terms) {
      ASSERT_FALSE(term.empty()) << t;
      ASSERT_EQ(term.find_first_of(" \t\n,.!?;:()[]{}\"'"), std::string::npos) << "term '" << term << "' of: " << t;
      ASSERT_FALSE(term[0] >= '0' && term[0] <= '9') << "term '" << term << "' of: " << t;
      ASSERT_FALSE(never.contains(term)) << "term '" << term << "' of: " << t;
      // No upper-case ASCII: terms are case folded.
      for (char ch : term) ASSERT_FALSE(ch >= 'A' && ch <= 'Z') << term;
    }
  }
}

TEST_F(KeywordsTest, WaimaiNegativeTop20) {
  const auto negative = Column("waimai_10k.csv", "review", "0");
  if (negative.empty()) GTEST_SKIP() << "waimai_10k.csv not found in " << FBL_DATA_DIR;
  absl::flat_hash_map<std::string, int64_t> counts;
  for (const std::string& t : negative) {
    for (std::string& term : Terms(text::MaskPii(t).text)) ++counts[std::move(term)];
  }
  const std::vector<TermCount> top = TopTerms(counts, 20);
  ASSERT_EQ(top.size(), 20u);
  std::vector<std::string> names;
  std::printf("top 20 terms of %zu negative waimai reviews (document frequency):\n", negative.size());
  for (const TermCount& tc : top) {
    std::printf("  %-10s %5lld\n", tc.term.c_str(), static_cast<long long>(tc.count));
    names.push_back(tc.term);
  }
  // What the negative delivery reviews are about: slow delivery, cold food, taste.
  EXPECT_THAT(names, AllOf(Contains("送餐"), Contains("慢"), Contains("味道"), Contains("凉"), Contains("小时")));
  for (const std::string& w : kNeverTerms) EXPECT_THAT(names, Not(Contains(w)));
}

// --- threads ---------------------------------------------------------------------

TEST_F(KeywordsTest, ThreadsGetTheSameResults) {
  std::vector<std::string> texts = Column("waimai_10k.csv", "review");
  if (texts.empty()) GTEST_SKIP() << "waimai_10k.csv not found in " << FBL_DATA_DIR;
  texts.resize(std::min<size_t>(texts.size(), 3000));
  std::vector<std::vector<std::string>> expected;
  for (const std::string& t : texts) expected.push_back(Terms(t));

  constexpr int kThreads = 4;
  std::vector<int64_t> mismatches(kThreads, 0);
  std::vector<std::thread> threads;
  for (int k = 0; k < kThreads; ++k) {
    threads.emplace_back([&, k] {
      // Each thread starts at a different text, so the same texts are in
      // flight on several threads at different moments.
      for (size_t i = 0; i < texts.size(); ++i) {
        const size_t j = (i + static_cast<size_t>(k) * texts.size() / kThreads) % texts.size();
        if (extractor_->Terms(texts[j]) != expected[j]) ++mismatches[k];
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (int k = 0; k < kThreads; ++k) EXPECT_EQ(mismatches[k], 0) << "thread " << k;
}

// --- stop-word file -----------------------------------------------------------------

class StopwordFileTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& content) {
    const std::string path = ::testing::TempDir() + "/keywords_" + name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }
};

TEST_F(StopwordFileTest, WordsAreFoldedLikeTheText) {
  const std::string path = Write("folded.txt", "\xef\xbb\xbf# comment\n\n這個\r\n  The  \n送餐\n");
  auto e = Extractor::Create(path);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ((*e)->stopword_count(), 3u);
  EXPECT_THAT((*e)->Terms("这个 THE 菜品 送餐 慢"), ElementsAre("菜品", "慢"));
}

TEST_F(StopwordFileTest, ErrorsNameTheFileAndLine) {
  auto missing = Extractor::Create(::testing::TempDir() + "/keywords_no_such_file.txt");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("keywords_no_such_file.txt"));

  const std::string bad_utf8 = Write("bad_utf8.txt", "# list\n的\n\xff\xfe\n");
  auto e = Extractor::Create(bad_utf8);
  EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(e.status().message(), HasSubstr(bad_utf8 + ":3:"));

  const std::string two_words = Write("two_words.txt", "的\nthank you\n");
  e = Extractor::Create(two_words);
  EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(e.status().message(), HasSubstr(two_words + ":2:"));

  const std::string empty = Write("empty.txt", "# nothing but comments\n\n");
  e = Extractor::Create(empty);
  EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(e.status().message(), HasSubstr("no stop words"));
}

// --- TopTerms -------------------------------------------------------------------------

TEST(TopTermsTest, HighestFirstTiesByTerm) {
  const absl::flat_hash_map<std::string, int64_t> counts = {
      {"慢", 5}, {"送餐", 9}, {"凉", 5}, {"app", 5}, {"贵", 1}};
  EXPECT_THAT(TopTerms(counts, 3), ElementsAre(TermCount{"送餐", 9}, TermCount{"app", 5}, TermCount{"凉", 5}));
  EXPECT_EQ(TopTerms(counts, 10).size(), 5u);
  EXPECT_EQ(TopTerms(counts, 10).back(), (TermCount{"贵", 1}));
  EXPECT_THAT(TopTerms(counts, 0), IsEmpty());
  EXPECT_THAT(TopTerms({}, 5), IsEmpty());
}

}  // namespace
}  // namespace fbl::keywords
