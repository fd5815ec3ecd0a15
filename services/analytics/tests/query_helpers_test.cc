#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/analytics/dimensions.h"
#include "services/analytics/query_engine.h"

namespace fbl::analytics {
namespace {

using ::testing::Contains;
using ::testing::DoubleNear;
using ::testing::Not;

pb::FeedbackFact Complaint(const std::string& customer, const std::string& l3, absl::Time at) {
  pb::FeedbackFact f;
  f.set_feedback_id(customer + l3 + std::to_string(absl::ToUnixSeconds(at)));
  f.set_customer(customer);
  f.set_at_seconds(absl::ToUnixSeconds(at));
  f.add_l1("complaint");
  f.add_l3(l3);
  return f;
}

TEST(QueryHelpersTest, PearsonOfKnownSeries) {
  EXPECT_THAT(Pearson({1, 2, 3, 4}, {2, 4, 6, 8}), DoubleNear(1.0, 1e-12));
  EXPECT_THAT(Pearson({1, 2, 3, 4}, {8, 6, 4, 2}), DoubleNear(-1.0, 1e-12));
  EXPECT_EQ(Pearson({1, 1, 1}, {1, 2, 3}), 0);  // constant series
  // Python: statistics.correlation([1,3,2,5,4], [2,1,4,3,5]) = 0.3
  EXPECT_THAT(Pearson({1, 3, 2, 5, 4}, {2, 1, 4, 3, 5}), DoubleNear(0.3, 1e-12));
}

TEST(QueryHelpersTest, NearestRankPercentile) {
  EXPECT_EQ(Percentile({}, 0.5), 0);
  EXPECT_EQ(Percentile({5, 1, 3, 2, 4}, 0.5), 3);
  EXPECT_EQ(Percentile({5, 1, 3, 2, 4}, 0.9), 5);
  EXPECT_EQ(Percentile({7}, 0.9), 7);
}

TEST(QueryHelpersTest, OverallSatisfactionWeighsPointsByResponses) {
  pb::GetSatisfactionResponse series;
  EXPECT_FALSE(Overall(series).csat.has_value());
  EXPECT_FALSE(Overall(series).nps.has_value());
  auto* a = series.add_points();  // 3 responses, CSAT 4, NPS 20
  a->set_responses(3);
  a->set_csat(4);
  a->set_nps(20);
  auto* b = series.add_points();  // 1 response, CSAT 2, no NPS answers
  b->set_responses(1);
  b->set_csat(2);
  auto* empty = series.add_points();  // a period without answers counts for nothing
  empty->set_responses(0);
  const OverallSatisfaction o = Overall(series);
  ASSERT_TRUE(o.csat.has_value() && o.nps.has_value());
  EXPECT_DOUBLE_EQ(*o.csat, (3 * 4.0 + 1 * 2.0) / 4);
  EXPECT_DOUBLE_EQ(*o.nps, 20);
}

TEST(QueryHelpersTest, RepeatComplaintsNeedTheSameProblemWithin30Days) {
  const absl::Time start = absl::FromUnixSeconds(1'700'000'000);
  const Span span{start, start + absl::Hours(24 * 7)};
  const absl::Duration day = absl::Hours(24);
  std::vector<pb::FeedbackFact> facts = {
      Complaint("a", "x.late", start + day), Complaint("a", "x.late", start + 2 * day),  // repeat
      Complaint("b", "x.late", start + day), Complaint("b", "x.broken", start + 2 * day),  // different problems
      Complaint("c", "x.late", start - 40 * day), Complaint("c", "x.late", start + day),  // > 30 days apart
      Complaint("d", "x.late", start - 10 * day), Complaint("d", "x.late", start + 3 * day),  // lookback repeat
  };
  EXPECT_THAT(RepeatComplaintRate(facts, span, 30 * day), DoubleNear(2.0 / 4.0, 1e-12));
}

TEST(QueryHelpersTest, FiltersAreAndAcrossOrWithin) {
  pb::FeedbackFact f = Complaint("a", "complaint.logistics.late_delivery", absl::UnixEpoch());
  f.set_channel("CHANNEL_APP_FORM");
  auto filter = [](pb::Dimension d, std::string v) {
    pb::Filter x;
    x.set_dimension(d);
    x.set_value(std::move(v));
    return x;
  };
  EXPECT_TRUE(Matches(f, {}));
  EXPECT_TRUE(Matches(f, {filter(pb::DIMENSION_CHANNEL, "CHANNEL_EMAIL"), filter(pb::DIMENSION_CHANNEL, "CHANNEL_APP_FORM")}));
  EXPECT_FALSE(Matches(f, {filter(pb::DIMENSION_CHANNEL, "CHANNEL_APP_FORM"), filter(pb::DIMENSION_TAG_L1, "praise")}));
  EXPECT_TRUE(Matches(f, {filter(pb::DIMENSION_TAG_L3, "complaint.logistics.late_delivery")}));
}

TEST(QueryHelpersTest, CounterFieldsCoverEveryDimensionAndChannelPairs) {
  pb::FeedbackFact f = Complaint("a", "complaint.logistics.late_delivery", absl::UnixEpoch());
  f.set_channel("CHANNEL_APP_FORM");
  f.set_product_model("X1");
  const auto fields = CounterFields(f);
  EXPECT_THAT(fields, Contains("total"));
  EXPECT_THAT(fields, Contains("l3=complaint.logistics.late_delivery"));
  EXPECT_THAT(fields, Contains("model=X1"));
  EXPECT_THAT(fields, Contains("x=CHANNEL_APP_FORM|complaint.logistics.late_delivery"));
  EXPECT_THAT(fields, Contains("x=CHANNEL_APP_FORM|complaint"));
  EXPECT_THAT(fields, Not(Contains("batch=")));  // empty values are not counted
  EXPECT_THAT(DistinctFields(f), Not(Contains("x=CHANNEL_APP_FORM|complaint")));
}

}  // namespace
}  // namespace fbl::analytics
