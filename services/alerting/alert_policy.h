#pragma once
// Pure alert logic: what an alert looks like, when it escalates.

#include <string>

#include "absl/time/time.h"
#include "alerting/v1/alerting.pb.h"
#include "feedback/v1/feedback.pb.h"
#include "libs/redalert/matcher.h"
#include "services/alerting/alerting_config.h"
#include "libs/runtime/proto_time.h"

namespace fbl::alerting {

namespace pb = ::feedbackloop::alerting::v1;

// One alert per feedback: the id is derived from the feedback id.
std::string AlertIdFor(const std::string& feedback_id);

// The red alert for `record`, raised at `now` (state OPEN, tier 0).
pb::Alert BuildRedAlert(const ::feedbackloop::feedback::v1::FeedbackRecord& record,
                        const redalert::MatchResult& match, absl::Time now, const EscalationConfig& config);

// How long tier-n responders have to acknowledge.
absl::Duration AckTimeout(pb::Severity severity, const EscalationConfig& config);

// The text the matcher sees: title and text of the (masked) record.
std::string MatchText(const ::feedbackloop::feedback::v1::FeedbackRecord& record);

using runtime::FromProto;
using runtime::ToProto;

}  // namespace fbl::alerting
