// CLS-9 emerging topics on real customer text from shared/data (the tests
// skip if it is absent); only the empty/punctuation cases are hand-written.
#include "services/classification/topics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "libs/dataset/csv_reader.h"
#include "libs/text/normalize.h"

#ifndef FBL_DATA_DIR
#define FBL_DATA_DIR ""
#endif

namespace fbl::classification {
namespace {

using ::testing::IsEmpty;

const text::Normalizer& Norm() {
  static const text::Normalizer* const kNormalizer = [] {
    auto n = text::Normalizer::Create();
    return n.ok() ? new text::Normalizer(*n) : nullptr;
  }();
  return *kNormalizer;
}

// car_complaints.csv: id, desc (the complaint title), datetime (a date).
std::vector<TopicDoc> LoadCarComplaints() {
  auto table = dataset::ReadCsvFile(std::string(FBL_DATA_DIR) + "/car_complaints.csv");
  if (!table.ok()) return {};
  const int id = table->Column("id");
  const int desc = table->Column("desc");
  const int date = table->Column("datetime");
  const int brand = table->Column("brand");
  const int model = table->Column("car_model");
  std::vector<TopicDoc> docs;
  for (const dataset::CsvRow& row : table->rows) {
    if (row.fields.size() <= static_cast<size_t>(std::max({id, desc, date, brand, model}))) continue;
    TopicDoc d;
    d.feedback_id = "car-" + row.fields[id];
    // Titles start with the brand and model, which the service has apart
    // (product_model); without them the clusters follow car models.
    std::string title = row.fields[desc];
    const std::string& b = row.fields[brand];  // e.g. 一汽-大众 (一汽大众), 吉利汽车 (吉利)
    for (const std::string& name : {b, absl::StrReplaceAll(b, {{"-", ""}}),
                                    std::string(absl::StripSuffix(b, "汽车")), row.fields[model]}) {
      if (!name.empty()) absl::StrReplaceAll({{name, " "}}, &title);
    }
    d.normalized = Norm().Normalize(title);
    std::string err;
    if (!absl::ParseTime("%Y-%m-%d", row.fields[date], absl::UTCTimeZone(), &d.at, &err)) d.at = absl::UnixEpoch();
    docs.push_back(std::move(d));
  }
  return docs;
}

// waimai_10k.csv: label, review; the row number is the ID.
std::vector<TopicDoc> LoadWaimai() {
  auto table = dataset::ReadCsvFile(std::string(FBL_DATA_DIR) + "/waimai_10k.csv");
  if (!table.ok()) return {};
  const int review = table->Column("review");
  std::vector<TopicDoc> docs;
  for (const dataset::CsvRow& row : table->rows) {
    if (row.fields.size() <= static_cast<size_t>(review)) continue;
    docs.push_back({"waimai-" + std::to_string(row.record), Norm().Normalize(row.fields[review]),
                    absl::FromUnixSeconds(1600000000 + row.record * 60)});
  }
  return docs;
}

void Print(const char* title, const std::vector<EmergingTopic>& topics, size_t n) {
  std::printf("%s\n", title);
  for (size_t i = 0; i < std::min(n, topics.size()); ++i) {
    std::printf("  %2zu. %-24s size %4lld  %s\n", i + 1, topics[i].topic_id.c_str(),
                static_cast<long long>(topics[i].size), absl::StrJoin(topics[i].top_terms, " ").c_str());
  }
}

absl::flat_hash_map<std::string, const TopicDoc*> ById(const std::vector<TopicDoc>& docs) {
  absl::flat_hash_map<std::string, const TopicDoc*> by_id;
  for (const TopicDoc& d : docs) by_id[d.feedback_id] = &d;
  return by_id;
}

// Real recurring themes of the complaint titles come out as topics whose
// members share them.
TEST(TopicTest, CarComplaintTitlesYieldRecurringThemes) {
  const std::vector<TopicDoc> docs = LoadCarComplaints();
  if (docs.empty()) GTEST_SKIP() << "car_complaints.csv not found in " << FBL_DATA_DIR;
  TopicOptions options;
  options.samples = 1 << 20;  // All members, to check what they share.
  const std::vector<EmergingTopic> topics = FindEmergingTopics(docs, options);
  Print("Top topics in car_complaints.csv titles (brand and model removed):", topics, 8);
  ASSERT_GE(topics.size(), 8u);
  EXPECT_LE(topics.size(), static_cast<size_t>(options.max_topics));

  // Known themes of this data (problem codes B gearbox, A engine, …).
  const std::vector<std::string> themes = {"异响", "顿挫", "机油", "车机", "故障灯", "异味", "漏水", "无法启动", "生锈", "轮胎"};
  int found = 0;
  for (const std::string& theme : themes) {
    found += std::any_of(topics.begin(), topics.end(), [&](const EmergingTopic& t) {
      return std::any_of(t.top_terms.begin(), t.top_terms.end(),
                         [&](const std::string& term) { return term.find(theme) != std::string::npos; });
    });
  }
  EXPECT_GE(found, 6) << "of " << themes.size() << " known themes";

  const auto by_id = ById(docs);
  for (size_t i = 0; i < 8; ++i) {
    const EmergingTopic& t = topics[i];
    SCOPED_TRACE(t.topic_id + " " + absl::StrJoin(t.top_terms, " "));
    EXPECT_GE(t.size, options.min_cluster_size);
    if (i > 0) {
      EXPECT_LE(t.size, topics[i - 1].size);
    }
    ASSERT_EQ(t.sample_feedback_ids.size(), static_cast<size_t>(t.size));
    ASSERT_GE(t.top_terms.size(), 3u);
    // Most members share a bigram of one of the first three terms (a phrase
    // is longer than what all members share).
    double best_share = 0;
    for (size_t k = 0; k < 3; ++k) {
      const std::string& term = t.top_terms[k];
      const bool han = static_cast<unsigned char>(term[0]) >= 0xE0;  // 3-byte UTF-8 code points
      for (size_t at = 0; at == 0 || (han && at + 6 <= term.size()); at += 3) {
        const std::string part = han ? term.substr(at, 6) : term;
        int64_t with = 0;
        for (const std::string& id : t.sample_feedback_ids) {
          with += by_id.at(id)->normalized.find(part) != std::string::npos;
        }
        best_share = std::max(best_share, static_cast<double>(with) / static_cast<double>(t.size));
      }
    }
    EXPECT_GE(best_share, 0.5);
  }
}

// Same input, and the same input in another order: the same topics.
TEST(TopicTest, DeterministicAndIndependentOfInputOrder) {
  std::vector<TopicDoc> docs = LoadCarComplaints();
  if (docs.empty()) GTEST_SKIP() << "car_complaints.csv not found in " << FBL_DATA_DIR;
  const TopicOptions options;
  const std::vector<EmergingTopic> first = FindEmergingTopics(docs, options);
  ASSERT_FALSE(first.empty());
  std::mt19937 rng(20240229);
  std::shuffle(docs.begin(), docs.end(), rng);
  for (const std::vector<EmergingTopic>& again : {FindEmergingTopics(docs, options), FindEmergingTopics(docs, options)}) {
    ASSERT_EQ(again.size(), first.size());
    for (size_t i = 0; i < first.size(); ++i) {
      EXPECT_EQ(again[i].topic_id, first[i].topic_id);
      EXPECT_EQ(again[i].size, first[i].size);
      EXPECT_EQ(again[i].top_terms, first[i].top_terms);
      EXPECT_EQ(again[i].sample_feedback_ids, first[i].sample_feedback_ids);
      EXPECT_EQ(again[i].first_seen, first[i].first_seen);
      EXPECT_EQ(again[i].last_seen, first[i].last_seen);
    }
  }
  // Topic IDs are unique.
  absl::flat_hash_map<std::string, int> ids;
  for (const EmergingTopic& t : first) EXPECT_EQ(++ids[t.topic_id], 1) << t.topic_id;
}

// Real titles: six about leaking sunroofs, three about spontaneous fires.
std::vector<TopicDoc> SmallSet(const std::vector<TopicDoc>& car) {
  std::vector<TopicDoc> out;
  int leaks = 0;
  int fires = 0;
  for (const TopicDoc& d : car) {
    if (d.normalized.find("天窗漏水") != std::string::npos && leaks < 6) {
      ++leaks;
      out.push_back(d);
    } else if (d.normalized.find("自燃") != std::string::npos && fires < 3) {
      ++fires;
      out.push_back(d);
    }
  }
  return out;
}

TEST(TopicTest, ClustersBelowMinimumSizeAreNotReturned) {
  const std::vector<TopicDoc> docs = SmallSet(LoadCarComplaints());
  if (docs.size() < 9u) GTEST_SKIP() << "car_complaints.csv not found in " << FBL_DATA_DIR;
  TopicOptions options;
  options.samples = 100;
  for (const TopicDoc& d : docs) std::printf("  %s %s\n", d.feedback_id.c_str(), d.normalized.c_str());

  options.min_cluster_size = 5;
  const std::vector<EmergingTopic> five = FindEmergingTopics(docs, options);
  Print("Sunroof leaks and fires, min_cluster_size 5:", five, 5);
  ASSERT_EQ(five.size(), 1u);
  EXPECT_GE(five[0].size, 5);
  EXPECT_TRUE(std::any_of(five[0].top_terms.begin(), five[0].top_terms.end(),
                          [](const std::string& t) { return t.find("漏水") != std::string::npos; }));

  options.min_cluster_size = 2;
  const std::vector<EmergingTopic> two = FindEmergingTopics(docs, options);
  Print("min_cluster_size 2:", two, 5);
  EXPECT_GT(two.size(), five.size());
  for (const EmergingTopic& t : two) EXPECT_GE(t.size, 2);

  options.max_topics = 1;
  EXPECT_EQ(FindEmergingTopics(docs, options).size(), 1u);
}

TEST(TopicTest, EmptyInputAndPunctuationOnlyTexts) {
  EXPECT_THAT(FindEmergingTopics({}, TopicOptions{}), IsEmpty());
  std::vector<TopicDoc> docs;
  for (const char* text : {"", " ", "!!!", "。。。", "？？？", "……", "😡😡😡", "-_-", "!!!", "。。。"}) {
    for (int i = 0; i < 3; ++i) {
      docs.push_back({"p" + std::to_string(docs.size()), Norm().Normalize(text), absl::FromUnixSeconds(i)});
    }
  }
  TopicOptions options;
  options.min_cluster_size = 2;
  EXPECT_THAT(FindEmergingTopics(docs, options), IsEmpty());
}

// Sizes, samples and first/last seen come from the members.
TEST(TopicTest, SamplesAndTimesComeFromMembers) {
  const std::vector<TopicDoc> docs = LoadCarComplaints();
  if (docs.empty()) GTEST_SKIP() << "car_complaints.csv not found in " << FBL_DATA_DIR;
  TopicOptions all;
  all.samples = 1 << 20;
  const std::vector<EmergingTopic> with_members = FindEmergingTopics(docs, all);
  const std::vector<EmergingTopic> topics = FindEmergingTopics(docs, TopicOptions{});
  ASSERT_EQ(topics.size(), with_members.size());
  const auto by_id = ById(docs);
  absl::flat_hash_map<std::string, int> member_of;  // A document is in one topic at most.
  for (size_t i = 0; i < topics.size(); ++i) {
    const EmergingTopic& t = with_members[i];
    ASSERT_EQ(t.sample_feedback_ids.size(), static_cast<size_t>(t.size));
    absl::Time first = absl::InfiniteFuture();
    absl::Time last = absl::InfinitePast();
    for (const std::string& id : t.sample_feedback_ids) {
      EXPECT_EQ(++member_of[id], 1) << id;
      first = std::min(first, by_id.at(id)->at);
      last = std::max(last, by_id.at(id)->at);
    }
    EXPECT_EQ(t.first_seen, first);
    EXPECT_EQ(t.last_seen, last);
    EXPECT_LT(t.first_seen, t.last_seen);  // Real dates over months.
    // The default samples: the five most central members.
    ASSERT_EQ(topics[i].sample_feedback_ids.size(), 5u);
    EXPECT_TRUE(std::equal(topics[i].sample_feedback_ids.begin(), topics[i].sample_feedback_ids.end(),
                           t.sample_feedback_ids.begin()));
  }
}

// Measures clustering all ~12,000 waimai reviews; asserts nothing about time
// (time targets belong in bench/).
TEST(TopicTest, WaimaiReviewsTiming) {
  const std::vector<TopicDoc> docs = LoadWaimai();
  if (docs.empty()) GTEST_SKIP() << "waimai_10k.csv not found in " << FBL_DATA_DIR;
  const auto start = std::chrono::steady_clock::now();
  const std::vector<EmergingTopic> topics = FindEmergingTopics(docs, TopicOptions{});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("waimai_10k: %zu reviews clustered in %.3f s, %zu topics\n", docs.size(), seconds, topics.size());
  Print("Top topics in waimai_10k.csv:", topics, 10);
  EXPECT_FALSE(topics.empty());
}

}  // namespace
}  // namespace fbl::classification
