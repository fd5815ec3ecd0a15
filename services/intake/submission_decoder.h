#pragma once
// Decoding and validation of connector submissions (INT-1, INT-5). Pure: no I/O.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "feedback/v1/feedback.pb.h"
#include "services/intake/intake_config.h"

namespace fbl::intake {

namespace pb = ::feedbackloop::feedback::v1;

// Why a submission was refused, in the shape of RejectedFeedback.
struct Rejection {
  pb::RejectReason reason = pb::REJECT_REASON_UNSPECIFIED;
  std::string detail;
  std::vector<std::pair<std::string, std::string>> violations;  // field path, description
};

struct Decoded {
  std::optional<pb::FeedbackSubmission> submission;  // set when accepted for processing
  Rejection rejection;                               // set otherwise
};

// The content types of feedback.raw.v1 (header `content-type`). Absent means protobuf.
inline constexpr std::string_view kContentTypeJson = "application/json";
inline constexpr std::string_view kContentTypeProtobuf = "application/x-protobuf";

// Parses a raw record (protobuf binary, or canonical proto3 JSON when
// `content_type` is application/json) and validates it. `kafka_key` fills a
// missing external_id.
Decoded DecodeSubmission(std::string_view payload, std::optional<std::string_view> content_type,
                         std::string_view kafka_key, const LimitsConfig& limits);

// Validates an already-parsed submission (the gRPC path). Empty when valid.
std::optional<Rejection> ValidateSubmission(const pb::FeedbackSubmission& submission,
                                            const LimitsConfig& limits, bool require_external_id);

}  // namespace fbl::intake
