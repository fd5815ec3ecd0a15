#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "libs/redalert/rules.h"
#include "services/alerting/alerting_service.h"

namespace fbl::alerting {
namespace {

TEST(CheckTest, OneVerdictLinePerInputWithEvidenceAndSuppressions) {
  auto rules = redalert::LoadRuleSet(FBL_RULES_FILE);
  ASSERT_TRUE(rules.ok()) << rules.status();
  auto matcher = redalert::Matcher::Create(*rules);
  ASSERT_TRUE(matcher.ok());
  // Real texts: car_complaints.csv, ChnSentiCorp_htl_all.csv; the last two lines are hand-made bad input.
  std::istringstream in(
      "{\"id\":\"car-1\",\"text\":\"车辆自燃，车主险些受伤\"}\n"
      "{\"id\":\"htl-1\",\"text\":\"酒店很安全，前台服务也好\"}\n"
      "\n"
      "not json\n"
      "{\"id\":\"x\"}\n");
  std::ostringstream out;
  EXPECT_EQ(RunCheck(**matcher, in, out), 2);
  std::istringstream lines(out.str());
  std::string line;
  std::vector<nlohmann::json> got;
  while (std::getline(lines, line)) got.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0]["id"], "car-1");
  EXPECT_EQ(got[0]["alert"], true);
  EXPECT_EQ(got[0]["category"], "safety");
  EXPECT_FALSE(got[0]["evidence"].empty());
  EXPECT_EQ(got[1]["id"], "htl-1");
  EXPECT_EQ(got[1]["alert"], false);
  EXPECT_TRUE(got[1]["category"].is_null());
  EXPECT_TRUE(got[2].contains("error"));
  EXPECT_TRUE(got[3].contains("error"));
}

}  // namespace
}  // namespace fbl::alerting
