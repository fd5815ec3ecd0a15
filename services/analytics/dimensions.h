#pragma once
// Dimensions of the aggregates and how one classified feedback counts in
// them. Pure: no I/O.
//
// Counter fields (one Redis hash per hour and per day):
//   "total"                    every feedback (near-duplicates excluded)
//   "<dim>=<value>"            one per dimension value, e.g. "l3=complaint.logistics.late_delivery"
//   "x=<channel>|<tag code>"   channel × tag (any level), for AN-7
//   "alert=<ALERT_KIND_*>"     raised alerts (alerts.v1), for reports

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/v1/analytics.pb.h"
#include "analytics/v1/facts.pb.h"
#include "classification/v1/classification.pb.h"

namespace fbl::analytics {

namespace pb = ::feedbackloop::analytics::v1;

// The short storage name of a dimension ("channel", "l1", … "ctype"); empty
// for UNSPECIFIED or an unknown value.
std::string_view DimensionKey(pb::Dimension d);
// The dimensions, in proto order.
const std::vector<pb::Dimension>& AllDimensions();

// The values a fact has in one dimension (several for tag levels).
std::vector<std::string> ValuesOf(const pb::FeedbackFact& f, pb::Dimension d);

// Whether the fact passes the filters (AND across dimensions, OR within one).
bool Matches(const pb::FeedbackFact& f, const std::vector<pb::Filter>& filters);

// The fact of a classified feedback. `at` is submitted_at when set and not
// in the future of received_at, else received_at. `terms` are its keywords.
pb::FeedbackFact ToFact(const ::feedbackloop::classification::v1::ClassifiedFeedback& c,
                        std::vector<std::string> terms);

// The counter fields one fact increments (see the file comment); "total" first.
std::vector<std::string> CounterFields(const pb::FeedbackFact& f);
// "total" and the "<dim>=<value>" fields whose distinct customers are kept.
std::vector<std::string> DistinctFields(const pb::FeedbackFact& f);

// Display names of the fact's tags: code → name pairs.
std::vector<std::pair<std::string, std::string>> TagNames(
    const ::feedbackloop::classification::v1::ClassifiedFeedback& c);

inline std::string Field(pb::Dimension d, std::string_view value) {
  return std::string(DimensionKey(d)) + "=" + std::string(value);
}

}  // namespace fbl::analytics
