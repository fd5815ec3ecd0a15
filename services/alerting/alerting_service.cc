#include "services/alerting/alerting_service.h"

#include <istream>
#include <ostream>

#include <nlohmann/json.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/kafka/delivery_tracker.h"
#include "libs/runtime/auth.h"
#include "libs/runtime/log.h"

namespace fbl::alerting {

namespace fpb = ::feedbackloop::feedback::v1;

AlertingMetrics::AlertingMetrics(prometheus::Registry& registry)
    : feedback_(prometheus::BuildCounter()
                    .Name("alerting_feedback_total")
                    .Help(
                        "Accepted feedback checked for red alerts, by result (alert, no_alert, duplicate, "
                        "skipped: not a FeedbackRecord).")
                    .Register(registry)),
      alerts_(prometheus::BuildCounter()
                  .Name("alerting_alerts_total")
                  .Help("Red alerts raised, by category and severity.")
                  .Register(registry)),
      events_(prometheus::BuildCounter()
                  .Name("alerting_events_total")
                  .Help("Alert events published on alerts.v1, by type.")
                  .Register(registry)),
      reloads_(prometheus::BuildCounter()
                   .Name("alerting_rules_reloads_total")
                   .Help("Rule file reloads, by result (ok, refused).")
                   .Register(registry)) {
  for (const char* result : {"ok", "refused"}) reloads_.Add({{"result", result}});
}

pb::AlertEvent EventPublisher::Make(pb::AlertEventType type, const pb::Alert& alert, const std::string& actor,
                                    absl::Time now, const std::string& event_suffix) {
  pb::AlertEvent e;
  e.set_event_id(absl::StrCat(alert.alert_id(), ":", event_suffix));
  e.set_type(type);
  *e.mutable_alert() = alert;
  *e.mutable_occurred_at() = ToProto(now);
  e.set_actor(actor);
  return e;
}

absl::Status EventPublisher::Publish(const std::vector<pb::AlertEvent>& events, absl::Duration timeout) {
  if (events.empty()) return absl::OkStatus();
  auto tracker = std::make_shared<kafka::DeliveryTracker>();
  for (const auto& e : events) {
    kafka::OutgoingMessage m{topic_, e.alert().alert_id(), e.SerializeAsString(),
                             {{kafka::kSchemaHeader, e.GetTypeName()}}};
    if (absl::Status s = producer_.Produce(std::move(m), tracker->Track(tracker)); !s.ok()) return s;
  }
  absl::Status s = tracker->Wait(timeout);
  if (s.ok()) {
    for (const auto& e : events) metrics_.Event(e.type());
  }
  return s;
}

absl::Status AlertProcessor::ProcessBatch(const std::vector<kafka::Message>& batch) {
  std::shared_ptr<const redalert::Matcher> matcher = rules_.Current();
  std::vector<pb::AlertEvent> events;
  std::vector<std::string> raised_feedback;
  std::vector<std::string> results;
  for (const kafka::Message& m : batch) {
    fpb::FeedbackRecord record;
    if (!record.ParseFromString(m.value)) {
      // Intake only publishes valid records; a foreign one is skipped, not retried forever.
      log::Error("not a FeedbackRecord; skipped", {{"partition", std::to_string(m.partition)},
                                                   {"offset", std::to_string(m.offset)}});
      results.push_back("skipped");
      continue;
    }
    if (!record.duplicate_of().empty()) {
      results.push_back("duplicate");  // the original carries the alert
      continue;
    }
    redalert::MatchResult match = matcher->Match(MatchText(record));
    if (!match.alert) {
      results.push_back("no_alert");
      continue;
    }
    const absl::Time now = clock_();
    pb::Alert alert = BuildRedAlert(record, match, now, config_.escalation);
    auto raised = store_.Raise(alert);
    if (!raised.ok()) return raised.status();
    results.push_back("alert");
    if (*raised == AlertStore::Raised::kDone) continue;  // already published
    if (*raised == AlertStore::Raised::kPending) {
      // Published before a crash, maybe: re-publish the stored alert (same event id).
      auto stored = store_.Get(alert.alert_id());
      if (!stored.ok()) return stored.status();
      alert = *stored;
    } else {
      metrics_.Alert(alert.category(), alert.severity());
      log::Warn("red alert", {{"alert_id", alert.alert_id()},
                              {"feedback_id", alert.feedback_id()},
                              {"category", pb::AlertCategory_Name(alert.category())},
                              {"severity", pb::Severity_Name(alert.severity())}});
    }
    events.push_back(EventPublisher::Make(pb::ALERT_EVENT_TYPE_RAISED, alert, "system", now, "raised"));
    raised_feedback.push_back(record.feedback_id());
  }
  if (absl::Status s = publisher_.Publish(events, config_.producer.message_timeout + absl::Seconds(5)); !s.ok()) {
    return s;
  }
  for (const auto& fid : raised_feedback) {
    if (absl::Status s = store_.MarkRaised(fid); !s.ok()) return s;
  }
  for (const auto& r : results) metrics_.Feedback(r);
  return absl::OkStatus();
}

absl::StatusOr<int> EscalationScheduler::Tick() {
  auto due = store_.ClaimDue(clock_(), config_.timer_lease, 100);
  if (!due.ok()) return due.status();
  int fired = 0;
  for (const std::string& timer : *due) {
    if (absl::Status s = Fire(timer); !s.ok()) {
      // The lease runs out and the timer comes back; nothing is lost.
      log::Warn("timer not handled; will retry", {{"timer", timer}, {"error", std::string(s.message())}});
      continue;
    }
    ++fired;
  }
  return fired;
}

absl::Status EscalationScheduler::Fire(const std::string& timer) {
  // "ack:<alert id>:<tier>" or "contact:<alert id>"
  const bool is_ack = timer.rfind("ack:", 0) == 0;
  std::string alert_id = timer.substr(timer.find(':') + 1);
  int timer_tier = 0;
  if (is_ack) {
    const size_t colon = alert_id.rfind(':');
    if (colon == std::string::npos || !absl::SimpleAtoi(alert_id.substr(colon + 1), &timer_tier)) {
      return store_.Complete(timer);  // not ours
    }
    alert_id.resize(colon);
  }
  auto alert = store_.Get(alert_id);
  if (absl::IsNotFound(alert.status())) return store_.Complete(timer);
  if (!alert.ok()) return alert.status();
  const absl::Time now = clock_();
  pb::Alert after = *alert;
  pb::AlertEvent event;
  std::vector<std::pair<std::string, absl::Time>> add;
  if (is_ack) {
    if (alert->state() != pb::ALERT_STATE_OPEN) return store_.Complete(timer);
    if (alert->tier() == timer_tier) {
      after.set_tier(timer_tier + 1);
      const absl::Time due = now + AckTimeout(after.severity(), config_.escalation);
      *after.mutable_ack_due() = ToProto(due);
      if (after.tier() < config_.escalation.max_tier) {
        add.emplace_back(absl::StrCat("ack:", alert_id, ":", after.tier()), due);
      }
    } else if (alert->tier() != timer_tier + 1) {
      return store_.Complete(timer);  // superseded
    }
    event = EventPublisher::Make(pb::ALERT_EVENT_TYPE_ESCALATED, after, "system", now,
                                 absl::StrCat("escalated-", timer_tier + 1));
  } else {
    if (alert->has_customer_contacted_at() || alert->state() == pb::ALERT_STATE_RESOLVED) {
      return store_.Complete(timer);
    }
    if (!alert->labels().contains("contact_breached")) {
      after.set_tier(std::max(after.tier(), config_.escalation.max_tier));
      (*after.mutable_labels())["contact_breached"] = "true";
    }
    event = EventPublisher::Make(pb::ALERT_EVENT_TYPE_CONTACT_BREACHED, after, "system", now, "contact-breached");
  }
  // A re-fire after a crash finds the alert already changed and only publishes.
  if (AlertStore::Bytes(after) != AlertStore::Bytes(*alert)) {
    if (absl::Status s = store_.Update(*alert, after, {}, add); !s.ok()) return s;
    log::Warn(is_ack ? "alert escalated" : "customer contact promise missed",
              {{"alert_id", alert_id}, {"tier", std::to_string(after.tier())}});
  }
  if (absl::Status s = publisher_.Publish({event}, absl::Seconds(30)); !s.ok()) return s;
  return store_.Complete(timer);
}

namespace {

grpc::Status ToGrpc(const absl::Status& s) {
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
}

// The authenticated caller's name (auth on), else the actor the request names.
std::string ActorOf(const grpc::ServerContext* context, const std::string& claimed) {
  if (context == nullptr) return claimed;
  if (auto caller = runtime::CallerOf(*context)) return caller->name;
  return claimed;
}

bool Matches(const pb::Alert& a, const pb::ListAlertsRequest& r) {
  if (r.state() != pb::ALERT_STATE_UNSPECIFIED && a.state() != r.state()) return false;
  if (r.kind() != pb::ALERT_KIND_UNSPECIFIED && a.kind() != r.kind()) return false;
  if (r.category() != pb::ALERT_CATEGORY_UNSPECIFIED && a.category() != r.category()) return false;
  if (r.has_since() && FromProto(a.created_at()) < FromProto(r.since())) return false;
  return true;
}

}  // namespace

runtime::PermissionTable AlertingPermissions() {
  const std::string read(runtime::kPermAlertRead), write(runtime::kPermAlertWrite);
  return {{"ListAlerts", read},
          {"GetAlert", read},
          {"AcknowledgeAlert", write},
          {"ResolveAlert", write},
          {"RecordCustomerContact", write}};
}

grpc::Status AlertingGrpcService::ListAlerts(grpc::ServerContext*, const pb::ListAlertsRequest* request,
                                             pb::ListAlertsResponse* response) {
  int page_size = request->page().page_size();
  if (page_size <= 0) page_size = 50;
  page_size = std::min(page_size, 500);
  int64_t offset = 0;
  if (!request->page().page_token().empty() && !absl::SimpleAtoi(request->page().page_token(), &offset)) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "bad page_token");
  }
  constexpr int64_t kChunk = 200;
  while (response->alerts_size() < page_size) {
    auto ids = store_.ListIds(offset, kChunk);
    if (!ids.ok()) return ToGrpc(ids.status());
    if (ids->empty()) return grpc::Status::OK;
    for (const auto& id : *ids) {
      ++offset;
      auto alert = store_.Get(id);
      if (!alert.ok()) continue;
      if (Matches(*alert, *request)) *response->add_alerts() = std::move(*alert);
      if (response->alerts_size() == page_size) break;
    }
  }
  response->set_next_page_token(std::to_string(offset));
  return grpc::Status::OK;
}

grpc::Status AlertingGrpcService::GetAlert(grpc::ServerContext*, const pb::GetAlertRequest* request,
                                           pb::Alert* response) {
  auto alert = store_.Get(request->alert_id());
  if (!alert.ok()) return ToGrpc(alert.status());
  *response = std::move(*alert);
  return grpc::Status::OK;
}

grpc::Status AlertingGrpcService::Change(const std::string& alert_id, const std::string& actor,
                                         pb::AlertEventType type,
                                         const std::function<grpc::Status(pb::Alert&)>& change,
                                         const std::vector<std::string>& remove, pb::Alert* out) {
  if (alert_id.empty() || actor.empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "alert_id and actor are required");
  }
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto before = store_.Get(alert_id);
    if (!before.ok()) return ToGrpc(before.status());
    pb::Alert after = *before;
    if (grpc::Status s = change(after); !s.ok()) return s;
    std::vector<std::string> timers;
    for (const auto& r : remove) timers.push_back(r == "ack" ? absl::StrCat("ack:", alert_id, ":", before->tier())
                                                             : absl::StrCat(r, ":", alert_id));
    absl::Status stored = store_.Update(*before, after, timers, {});
    if (absl::IsAborted(stored)) continue;  // changed meanwhile (e.g. escalated): read again
    if (!stored.ok()) return ToGrpc(stored);
    const absl::Time now = clock_();
    absl::Status published = type == pb::ALERT_EVENT_TYPE_UNSPECIFIED ? absl::OkStatus() : publisher_.Publish(
        {EventPublisher::Make(type, after, actor, now, absl::StrCat(pb::AlertEventType_Name(type), "-", ToProto(now).seconds()))},
        absl::Seconds(10));
    if (!published.ok()) {
      log::Warn("alert changed but its event was not published", {{"alert_id", alert_id},
                                                                  {"error", std::string(published.message())}});
    }
    *out = std::move(after);
    return grpc::Status::OK;
  }
  return grpc::Status(grpc::StatusCode::ABORTED, "the alert keeps changing; try again");
}

grpc::Status AlertingGrpcService::AcknowledgeAlert(grpc::ServerContext* context, const pb::AcknowledgeAlertRequest* r,
                                                   pb::Alert* out) {
  const absl::Time now = clock_();
  const std::string actor = ActorOf(context, r->actor());
  return Change(
      r->alert_id(), actor, pb::ALERT_EVENT_TYPE_ACKNOWLEDGED,
      [&](pb::Alert& a) {
        if (a.state() == pb::ALERT_STATE_RESOLVED) {
          return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "the alert is already resolved");
        }
        if (a.state() == pb::ALERT_STATE_ACKNOWLEDGED) return grpc::Status::OK;
        a.set_state(pb::ALERT_STATE_ACKNOWLEDGED);
        a.set_acknowledged_by(actor);
        *a.mutable_acknowledged_at() = ToProto(now);
        return grpc::Status::OK;
      },
      {"ack"}, out);
}

grpc::Status AlertingGrpcService::ResolveAlert(grpc::ServerContext* context, const pb::ResolveAlertRequest* r,
                                               pb::Alert* out) {
  const absl::Time now = clock_();
  const std::string actor = ActorOf(context, r->actor());
  return Change(
      r->alert_id(), actor, pb::ALERT_EVENT_TYPE_RESOLVED,
      [&](pb::Alert& a) {
        if (a.state() == pb::ALERT_STATE_RESOLVED) {
          return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "the alert is already resolved");
        }
        a.set_state(pb::ALERT_STATE_RESOLVED);
        a.set_resolved_by(actor);
        a.set_resolution(r->resolution());
        *a.mutable_resolved_at() = ToProto(now);
        return grpc::Status::OK;
      },
      {"ack", "contact"}, out);
}

grpc::Status AlertingGrpcService::RecordCustomerContact(grpc::ServerContext* context,
                                                        const pb::RecordCustomerContactRequest* r, pb::Alert* out) {
  const absl::Time when = r->has_contacted_at() ? FromProto(r->contacted_at()) : clock_();
  const std::string actor = ActorOf(context, r->actor());
  pb::Alert result;
  grpc::Status s = Change(
      r->alert_id(), actor, pb::ALERT_EVENT_TYPE_UNSPECIFIED,
      [&](pb::Alert& a) {
        a.set_customer_contacted_by(actor);
        *a.mutable_customer_contacted_at() = ToProto(when);
        return grpc::Status::OK;
      },
      {"contact"}, &result);
  *out = std::move(result);
  return s;
}

int RunCheck(const redalert::Matcher& matcher, std::istream& in, std::ostream& out) {
  int bad = 0;
  std::string line;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object() || !j.contains("text") || !j["text"].is_string()) {
      ++bad;
      out << nlohmann::json{{"error", "expected a JSON object with a string \"text\""}}.dump() << "\n";
      continue;
    }
    redalert::MatchResult m = matcher.Match(j["text"].get<std::string>());
    nlohmann::json o;
    o["id"] = j.contains("id") ? j["id"] : nlohmann::json(nullptr);
    o["alert"] = m.alert;
    o["category"] = m.alert ? nlohmann::json(std::string(redalert::CategoryName(m.category))) : nullptr;
    o["severity"] = m.alert ? nlohmann::json(std::string(redalert::SeverityName(m.severity))) : nullptr;
    o["evidence"] = nlohmann::json::array();
    for (const auto& e : m.evidences) {
      o["evidence"].push_back({{"rule", e.rule_id}, {"term", e.term}, {"matched", e.matched},
                               {"snippet", e.snippet}, {"offset", e.offset}});
    }
    o["suppressed"] = nlohmann::json::array();
    for (const auto& s : m.suppressed) {
      o["suppressed"].push_back({{"rule", s.rule_id}, {"term", s.term}, {"matched", s.matched},
                                 {"reason", std::string(redalert::SuppressReasonName(s.reason))}, {"detail", s.detail}});
    }
    out << o.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  }
  return bad;
}

}  // namespace fbl::alerting
