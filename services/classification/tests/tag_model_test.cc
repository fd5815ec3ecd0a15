// CLS-8: the tag model learns the rule labels of real reviews, and a human
// correction changes what the next model predicts. Texts are real
// (shared/data waimai_10k.csv).
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libs/dataset/csv_reader.h"
#include "libs/sentiment/corpus.h"
#include "libs/text/normalize.h"
#include "services/classification/tag_model.h"
#include "services/classification/tag_training.h"

namespace fbl::classification {
namespace {

using ::testing::HasSubstr;

class TagModelTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto taxonomy = Taxonomy::Load(FBL_TAXONOMY_FILE);
    ASSERT_TRUE(taxonomy.ok()) << taxonomy.status();
    taxonomy_ = new std::shared_ptr<const Taxonomy>(*taxonomy);
    auto normalizer = text::Normalizer::Create();
    ASSERT_TRUE(normalizer.ok()) << normalizer.status();
    auto table = dataset::ReadCsvFile(FBL_DATA_DIR "/waimai_10k.csv");
    ASSERT_TRUE(table.ok()) << table.status();
    const int review = table->Column("review");
    ASSERT_GE(review, 0);
    texts_ = new std::vector<std::string>();
    // Every 4th row: ~3,000 reviews, positive and negative (the file is sorted by label).
    for (size_t i = 0; i < table->rows.size(); i += 4) {
      const auto& fields = table->rows[i].fields;
      if (static_cast<size_t>(review) < fields.size()) texts_->push_back(normalizer->Normalize(fields[review]));
    }
  }
  static void TearDownTestSuite() {
    delete taxonomy_;
    delete texts_;
  }

  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("fbl-tag-model-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static TrainOptions Fast() {
    TrainOptions o;
    o.dim = 20;
    o.epoch = 15;
    o.quantize = false;
    o.bucket = 200000;
    o.threads = 1;  // Reproducible.
    return o;
  }

  Classifier classifier() const { return Classifier(*taxonomy_, nullptr, {}); }

  static std::shared_ptr<const Taxonomy>* taxonomy_;
  static std::vector<std::string>* texts_;
  std::filesystem::path dir_;
};

std::shared_ptr<const Taxonomy>* TagModelTest::taxonomy_ = nullptr;
std::vector<std::string>* TagModelTest::texts_ = nullptr;

std::string Top(const TagModel& m, const std::string& normalized) {
  auto p = m.Predict(normalized, 1, 0.0);
  return p.empty() ? "" : p.front().first;
}

// Direct evaluation and fastText's predictLine give the same codes in the
// same order with the same probabilities.
void ExpectSamePredictions(const TagModel& m, const std::vector<std::string>& texts, int k, double threshold,
                           size_t* predicted = nullptr) {
  double max_diff = 0;
  size_t nonempty = 0;
  for (const std::string& t : texts) {
    const auto direct = m.Predict(t, k, threshold);
    const auto reference = m.ReferencePredict(t, k, threshold);
    ASSERT_EQ(direct.size(), reference.size()) << t;
    for (size_t i = 0; i < direct.size(); ++i) {
      ASSERT_EQ(direct[i].first, reference[i].first) << t << " #" << i;
      ASSERT_NEAR(direct[i].second, reference[i].second, 1e-6) << t << " " << direct[i].first;
      max_diff = std::max(max_diff, std::abs(direct[i].second - reference[i].second));
    }
    nonempty += !direct.empty();
  }
  std::printf("k %d threshold %.2f: %zu texts, %zu with codes, largest difference %.3g\n", k, threshold, texts.size(),
              nonempty, max_diff);
  if (predicted != nullptr) *predicted = nonempty;
}

TEST_F(TagModelTest, DirectEvaluationEqualsFastText) {
  auto model = TagModel::Load(FBL_TAG_MODEL);
  ASSERT_TRUE(model.ok()) << model.status();
  ASSERT_TRUE((*model)->direct());
  // Hand-written edge cases (empty, no tokens, ill-formed UTF-8, mixed
  // scripts, a long text), then real texts: the reviews of the corpus and
  // complaint details (shared/data blackcat_complaints.csv).
  std::vector<std::string> texts = {"", "...!!", "iPhone13 屏幕碎了!!", "ABC def 123", "\xE4\xB8", "\xF0\x84\xB8\x80好",
                                    "㐀㐁 ䷀ 好", "好\xE9\xBF"};
  std::string long_text;
  for (int i = 0; i < 300; ++i) long_text += "送餐太慢了，饭都凉了。";
  texts.push_back(long_text);
  texts.insert(texts.end(), texts_->begin(), texts_->end());
  auto corpus = sentiment::LoadCorpus(FBL_DATA_DIR);
  ASSERT_TRUE(corpus.ok()) << corpus.status();
  for (size_t i = 0; i < corpus->size(); i += 5) texts.push_back((*corpus)[i].normalized);
  auto normalizer = text::Normalizer::Create();
  ASSERT_TRUE(normalizer.ok()) << normalizer.status();
  auto complaints = dataset::ReadCsvFile(FBL_DATA_DIR "/blackcat_complaints.csv");
  ASSERT_TRUE(complaints.ok()) << complaints.status();
  const int details = complaints->Column("投诉详情");
  ASSERT_GE(details, 0);
  for (const auto& row : complaints->rows) {
    if (static_cast<size_t>(details) < row.fields.size()) texts.push_back(normalizer->Normalize(row.fields[details]));
  }
  // Every label (ties included), then as the classifier asks (Policy defaults).
  size_t all = 0, tagged = 0;
  ExpectSamePredictions(**model, texts, 0, 0.0, &all);
  ExpectSamePredictions(**model, texts, 2, 0.9, &tagged);
  EXPECT_GT(all, texts.size() / 2);
  EXPECT_GT(tagged, 100u);
}

TEST_F(TagModelTest, LearnsTheRuleLabelsOfRealReviews) {
  const Classifier c = classifier();
  const std::vector<TrainingExample> examples = BuildExamples(c, *texts_, {});
  std::vector<TrainingExample> train;
  for (const auto& e : examples) {
    EXPECT_EQ(e.origin, "rule");
    if (SplitOf(e.normalized) == Split::kTrain) train.push_back(e);
  }
  const std::string path = (dir_ / "tags.bin").string();
  ASSERT_TRUE(TrainTagModel(train, Fast(), path).ok());
  auto model = TagModel::Load(path);
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_THAT((*model)->version(), HasSubstr("tags.bin@"));
  EXPECT_GT((*model)->labels(), 5);
  // Not quantised: the direct evaluation decodes plain rows.
  ASSERT_TRUE((*model)->direct());
  ExpectSamePredictions(**model, *texts_, 0, 0.0);

  // Held-out texts (dev + holdout) the rules label: is the model's top tag one of the rule labels?
  int labelled = 0, agreed = 0;
  for (const auto& e : examples) {
    if (SplitOf(e.normalized) == Split::kTrain || e.l3.empty()) continue;
    ++labelled;
    const std::string top = Top(**model, e.normalized);
    agreed += std::find(e.l3.begin(), e.l3.end(), top) != e.l3.end();
  }
  ASSERT_GT(labelled, 100);
  const double recall = static_cast<double>(agreed) / labelled;
  EXPECT_GE(recall, 0.7) << agreed << "/" << labelled;
  std::printf("held-out rule-labelled texts %d, model top tag agrees %.3f\n", labelled, recall);
}

TEST_F(TagModelTest, CorrectionChangesTheNextModel) {
  const Classifier c = classifier();
  // A real review the rules tag with one problem A, and other real reviews
  // sharing its distinctive word; a human files them all under B.
  const std::string word = "粥";  // congee
  std::string target, a;
  for (const std::string& t : *texts_) {
    if (t.find(word) == std::string::npos) continue;
    const auto labels = RuleLabels(c, t);
    if (labels.size() == 1) {
      target = t;
      a = labels.front();
      break;
    }
  }
  ASSERT_FALSE(target.empty());
  const std::string b = a == "food_quality.portion" ? "food_quality.taste" : "food_quality.portion";
  std::vector<Correction> corrections = {{"fb-1", target, {b}}};
  for (const std::string& t : *texts_) {
    if (corrections.size() >= 6) break;
    if (t != target && t.find(word) != std::string::npos) corrections.push_back({"fb-more", t, {b}});
  }

  const std::string before = (dir_ / "before.bin").string(), after = (dir_ / "after.bin").string();
  ASSERT_TRUE(TrainTagModel(BuildExamples(c, *texts_, {}), Fast(), before).ok());
  const std::vector<TrainingExample> corrected = BuildExamples(c, *texts_, corrections);
  int human = 0;
  for (const auto& e : corrected) human += e.origin == "human";
  EXPECT_EQ(human, static_cast<int>(corrections.size()));
  ASSERT_TRUE(TrainTagModel(corrected, Fast(), after).ok());

  auto old_model = TagModel::Load(before);
  auto new_model = TagModel::Load(after);
  ASSERT_TRUE(old_model.ok()) << old_model.status();
  ASSERT_TRUE(new_model.ok()) << new_model.status();
  EXPECT_NE((*old_model)->version(), (*new_model)->version());
  std::printf("target %s: rules %s, old top %s, new top %s (correction %s)\n", target.c_str(), a.c_str(),
              Top(**old_model, target).c_str(), Top(**new_model, target).c_str(), b.c_str());
  EXPECT_NE(Top(**old_model, target), b) << target;
  EXPECT_EQ(Top(**new_model, target), b) << target;
}

TEST_F(TagModelTest, LoadNamesTheBadFile) {
  const std::string missing = (dir_ / "missing.ftz").string();
  auto m = TagModel::Load(missing);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(m.status().message(), HasSubstr(missing));

  const std::string garbage = (dir_ / "garbage.ftz").string();
  std::ofstream(garbage) << "not a fastText model\n";
  m = TagModel::Load(garbage);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(m.status().message(), HasSubstr(garbage));
}

TEST_F(TagModelTest, LoadRejectsTheSentimentModel) {
  // A softmax fastText model is not a tag model.
  if (!std::filesystem::exists(FBL_SENTIMENT_MODEL)) GTEST_SKIP() << FBL_SENTIMENT_MODEL;
  auto m = TagModel::Load(FBL_SENTIMENT_MODEL);
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(m.status().message(), HasSubstr("one-vs-all"));
}

TEST_F(TagModelTest, TrainingWithoutLabelsFails) {
  const std::vector<TrainingExample> none = {{"好吃", {}, "rule"}};
  EXPECT_EQ(TrainTagModel(none, Fast(), (dir_ / "x.bin").string()).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace fbl::classification
