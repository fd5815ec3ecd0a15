// libFuzzer: every record the services read from Kafka, as protobuf binary
// (what the consumers parse: FeedbackRecord, ClassifiedFeedback, AlertEvent,
// TicketEvent, SurveyResponse, RejectedFeedback, Correction) and as proto3
// JSON (what tools and `fbl --json` read and print). A record that parses
// survives a round trip unchanged.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>

#include "alerting/v1/alerting.pb.h"
#include "classification/v1/classification.pb.h"
#include "feedback/v1/feedback.pb.h"
#include "survey/v1/survey.pb.h"
#include "workorder/v1/workorder.pb.h"

namespace {
std::unique_ptr<google::protobuf::Message> New(uint8_t which) {
  switch (which % 7) {
    case 0: return std::make_unique<feedbackloop::feedback::v1::FeedbackRecord>();
    case 1: return std::make_unique<feedbackloop::classification::v1::ClassifiedFeedback>();
    case 2: return std::make_unique<feedbackloop::alerting::v1::AlertEvent>();
    case 3: return std::make_unique<feedbackloop::workorder::v1::TicketEvent>();
    case 4: return std::make_unique<feedbackloop::survey::v1::SurveyResponse>();
    case 5: return std::make_unique<feedbackloop::feedback::v1::RejectedFeedback>();
    default: return std::make_unique<feedbackloop::classification::v1::Correction>();
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  // First byte: bits 0-2 the message type, bit 3 binary or JSON.
  auto msg = New(data[0]);
  const bool json = data[0] & 8;
  const std::string payload(reinterpret_cast<const char*>(data + 1), size - 1);
  if (json) {
    google::protobuf::util::JsonParseOptions opts;
    opts.ignore_unknown_fields = true;  // consumers ignore unknown fields
    if (!google::protobuf::util::JsonStringToMessage(payload, msg.get(), opts).ok()) return 0;
  } else if (!msg->ParseFromString(payload)) {
    return 0;
  }
  const std::string bytes = msg->SerializeAsString();
  auto again = New(data[0]);
  if (!again->ParseFromString(bytes)) __builtin_trap();  // what we write we can read
  if (!google::protobuf::util::MessageDifferencer::Equals(*msg, *again)) __builtin_trap();
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(*msg, &out);
  return 0;
}
