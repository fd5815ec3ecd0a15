#include "libs/text/minhash.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "libs/dataset/csv_reader.h"
#include "libs/text/normalize.h"
#include "libs/text/utf8.h"

namespace fbl::text {
namespace {

std::vector<uint32_t> Sig(const Normalizer& n, std::string_view text) {
  return MinHashSignature(Compact(n.Normalize(text)));
}

TEST(MinHashTest, IdenticalAfterCompactAndEmpty) {
  auto n = Normalizer::Create();
  ASSERT_TRUE(n.ok());
  // Real review (waimai_10k.csv) and a punctuation/width variant of it (hand-made edit).
  auto a = Sig(*n, "送餐快,态度也特别好,辛苦啦");
  auto b = Sig(*n, "送餐快，态度也特别好！！辛苦啦～");
  EXPECT_EQ(EstimateJaccard(a, b), 1.0);
  EXPECT_TRUE(MinHashSignature("").empty());
  EXPECT_EQ(EstimateJaccard(a, {}), 0.0);
  const std::string stored = MinHashToBytes16(a);
  ASSERT_EQ(stored.size(), 2u * kMinHashSize);
  for (int i = 0; i < kMinHashSize; ++i) {
    EXPECT_EQ((static_cast<uint8_t>(stored[2 * i]) << 8) | static_cast<uint8_t>(stored[2 * i + 1]), a[i] & 0xffff);
  }
  EXPECT_EQ(stored, MinHashToBytes16(b));
}

TEST(MinHashTest, OneCharacterEditOfShortReviewStaysSimilar) {
  auto n = Normalizer::Create();
  ASSERT_TRUE(n.ok());
  // Real review (waimai_10k.csv); the second is a hand-made one-character edit.
  double j = EstimateJaccard(Sig(*n, "今天师傅是不是手抖了，微辣格外辣！"),
                             Sig(*n, "今天师傅是不是手抖了，微辣特别辣！"));
  EXPECT_GE(j, 0.5);
}

// Over real short reviews: every one-character substitution (hand-made edits)
// versus unrelated pairs. Prints both rates.
TEST(MinHashTest, SeparatesEditsFromUnrelatedReviewsOnRealData) {
  auto table = dataset::ReadCsvFile(FBL_DATA_DIR "/waimai_10k.csv", 3000);
  if (!table.ok()) GTEST_SKIP() << table.status();
  auto n = Normalizer::Create();
  ASSERT_TRUE(n.ok());
  std::vector<std::string> texts;
  for (const auto& row : table->rows) {
    std::string c = Compact(n->Normalize(row.fields[1]));
    if (c.size() >= 3 * 10) texts.push_back(c);  // at least ~10 CJK characters
    if (texts.size() == 1000) break;
  }
  ASSERT_GE(texts.size(), 500u);
  int edits_found = 0;
  for (const auto& t : texts) {
    std::vector<char32_t> cps;
    for (size_t pos = 0; pos < t.size();) cps.push_back(NextCodePoint(t, &pos));
    cps[cps.size() / 2] = U'嘛';  // substitute the middle character
    std::string edited;
    for (char32_t cp : cps) AppendUtf8(cp, &edited);
    edits_found += EstimateJaccard(MinHashSignature(t), MinHashSignature(edited)) >= 0.5;
  }
  std::vector<std::vector<uint32_t>> sigs;
  for (const auto& t : texts) sigs.push_back(MinHashSignature(t));
  int64_t pairs = 0, false_matches = 0;
  for (size_t i = 0; i < sigs.size(); ++i) {
    for (size_t j = i + 1; j < sigs.size(); ++j) {
      ++pairs;
      if (texts[i] != texts[j] && EstimateJaccard(sigs[i], sigs[j]) >= 0.5) ++false_matches;
    }
  }
  double recall = static_cast<double>(edits_found) / texts.size();
  double false_rate = static_cast<double>(false_matches) / pairs;
  std::printf("minhash: one-char edits matched %.1f%% of %zu reviews; unrelated pairs matched %.4f%% (%ld of %ld)\n",
              100 * recall, texts.size(), 100 * false_rate, static_cast<long>(false_matches),
              static_cast<long>(pairs));
  EXPECT_GE(recall, 0.80);
  EXPECT_LT(false_rate, 0.001);
}

}  // namespace
}  // namespace fbl::text
