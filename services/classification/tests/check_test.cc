// `classification check`: JSON lines in, one full result per line out.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "services/classification/classification_service.h"

namespace fbl::classification {
namespace {

TEST(CheckTest, WritesTheFullResultPerLineAndFlagsBadLines) {
  auto taxonomy = Taxonomy::Load(FBL_TAXONOMY_FILE);
  ASSERT_TRUE(taxonomy.ok()) << taxonomy.status();
  auto model = sentiment::SentimentModel::Load(FBL_SENTIMENT_MODEL);
  ASSERT_TRUE(model.ok()) << model.status();
  Classifier classifier(*taxonomy, model->get(), {});
  // Real texts: a waimai complaint and a hotel review; then bad input.
  std::istringstream in(
      R"({"id":"w1","text":"送餐实在太慢了，整2个小时，辣菜也不注明，失望","vip":true})" "\n"
      R"({"id":7,"text":"房间很干净，服务也很热情，下次还会再来"})" "\n"
      "\n"
      "not json\n"
      R"({"id":"x","text":42})" "\n");
  std::ostringstream out;
  EXPECT_EQ(RunCheck(classifier, in, out), 2);
  std::istringstream lines(out.str());
  std::vector<nlohmann::json> results;
  for (std::string line; std::getline(lines, line);) results.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(results.size(), 4u);

  const auto& w = results[0];
  EXPECT_EQ(w["id"], "w1");
  EXPECT_EQ(w["l1"]["code"], "complaint");
  ASSERT_FALSE(w["tags"].empty());
  EXPECT_EQ(w["tags"][0]["l3"], "logistics.late_food_delivery");
  EXPECT_EQ(w["tags"][0]["l2"], "logistics");
  EXPECT_EQ(w["tags"][0]["source"], "rule");
  EXPECT_EQ(w["problem_type"], "service_speed");
  EXPECT_EQ(w["sentiment"]["polarity"], "negative");
  EXPECT_EQ(w["urgency"], "urgent");  // a VIP this unhappy
  EXPECT_EQ(w["priority"], "p1_urgent_important");
  EXPECT_EQ(w["response_within"], "24h");
  EXPECT_FALSE(w["department"].get<std::string>().empty());
  EXPECT_TRUE(w["needs_action"]);
  EXPECT_EQ(w["taxonomy_version"], (*taxonomy)->version());

  const auto& h = results[1];
  EXPECT_EQ(h["id"], 7);
  EXPECT_EQ(h["l1"]["code"], "praise");
  EXPECT_EQ(h["sentiment"]["polarity"], "positive");
  EXPECT_FALSE(h["needs_action"]);
  EXPECT_TRUE(results[2].contains("error"));
  EXPECT_TRUE(results[3].contains("error"));
}

}  // namespace
}  // namespace fbl::classification
