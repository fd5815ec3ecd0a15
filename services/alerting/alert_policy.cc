#include "services/alerting/alert_policy.h"

#include "absl/strings/str_cat.h"

namespace fbl::alerting {

std::string AlertIdFor(const std::string& feedback_id) { return "ra-" + feedback_id; }

std::string MatchText(const ::feedbackloop::feedback::v1::FeedbackRecord& record) {
  return record.title().empty() ? record.text() : absl::StrCat(record.title(), "\n", record.text());
}

absl::Duration AckTimeout(pb::Severity severity, const EscalationConfig& config) {
  switch (severity) {
    case pb::SEVERITY_SEV1_CRITICAL: return config.ack_timeout_sev1;
    case pb::SEVERITY_SEV2_HIGH: return config.ack_timeout_sev2;
    default: return config.ack_timeout_sev3;
  }
}

namespace {

pb::AlertCategory ToProto(redalert::Category c) {
  switch (c) {
    case redalert::Category::kSafety: return pb::ALERT_CATEGORY_SAFETY;
    case redalert::Category::kInjuryHealth: return pb::ALERT_CATEGORY_INJURY_HEALTH;
    case redalert::Category::kFraud: return pb::ALERT_CATEGORY_FRAUD;
    case redalert::Category::kPublicEscalation: return pb::ALERT_CATEGORY_PUBLIC_ESCALATION;
    default: return pb::ALERT_CATEGORY_UNSPECIFIED;
  }
}

pb::Severity ToProto(redalert::Severity s) {
  switch (s) {
    case redalert::Severity::kSev1: return pb::SEVERITY_SEV1_CRITICAL;
    case redalert::Severity::kSev2: return pb::SEVERITY_SEV2_HIGH;
    case redalert::Severity::kSev3: return pb::SEVERITY_SEV3_MEDIUM;
    default: return pb::SEVERITY_UNSPECIFIED;
  }
}

}  // namespace

pb::Alert BuildRedAlert(const ::feedbackloop::feedback::v1::FeedbackRecord& record,
                        const redalert::MatchResult& match, absl::Time now, const EscalationConfig& config) {
  pb::Alert a;
  a.set_alert_id(AlertIdFor(record.feedback_id()));
  a.set_kind(pb::ALERT_KIND_RED_ALERT);
  a.set_category(ToProto(match.category));
  a.set_severity(ToProto(match.severity));
  a.set_feedback_id(record.feedback_id());
  a.set_customer_pseudonym(record.customer_pseudonym());
  for (const auto& e : match.evidences) {
    auto* ev = a.add_evidences();
    ev->set_rule_id(e.rule_id);
    ev->set_term(e.term);
    ev->set_snippet(e.snippet);
    ev->set_byte_offset(static_cast<int32_t>(e.offset));
  }
  const std::string first = match.evidences.empty() ? "" : match.evidences.front().snippet;
  a.set_summary(absl::StrCat("[", std::string(redalert::CategoryName(match.category)), "/",
                             std::string(redalert::SeverityName(match.severity)), "] ", first));
  *a.mutable_created_at() = ToProto(now);
  a.set_state(pb::ALERT_STATE_OPEN);
  a.set_tier(0);
  *a.mutable_ack_due() = ToProto(now + AckTimeout(a.severity(), config));
  *a.mutable_contact_due() = ToProto(now + config.contact_timeout);
  if (record.has_product()) {
    if (!record.product().model().empty()) (*a.mutable_labels())["product_model"] = record.product().model();
    if (!record.product().batch().empty()) (*a.mutable_labels())["batch"] = record.product().batch();
  }
  (*a.mutable_labels())["channel"] = ::feedbackloop::common::v1::Channel_Name(record.channel());
  a.set_group_key(std::string(redalert::CategoryName(match.category)));
  return a;
}

}  // namespace fbl::alerting
