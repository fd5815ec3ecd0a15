#include "services/workorder/workorder_service.h"

#include "absl/strings/str_cat.h"
#include "libs/kafka/delivery_tracker.h"
#include "libs/runtime/auth.h"
#include "libs/runtime/log.h"
#include "services/workorder/ids.h"
#include "survey/v1/survey.pb.h"

namespace fbl::workorder {
namespace {

namespace apb = ::feedbackloop::alerting::v1;
namespace cpb = ::feedbackloop::classification::v1;
namespace spb = ::feedbackloop::survey::v1;
namespace ppb = ::feedbackloop::common::v1;

grpc::Status ToGrpc(const absl::Status& s) {
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
}

// The request with the authenticated caller as its actor (auth on), else as is.
template <typename Request>
Request WithCallerActor(const grpc::ServerContext* context, const Request& r) {
  Request out = r;
  if (context == nullptr) return out;
  if (auto caller = runtime::CallerOf(*context)) out.set_actor(caller->name);
  return out;
}

// INVALID_ARGUMENT for an empty or over-long id, else OK.
grpc::Status RefuseId(absl::string_view field, const std::string& id) { return ToGrpc(CheckId(field, id)); }

std::string Created(const std::optional<TicketStore::Created>& c) {
  return !c ? "no_ticket" : c->created ? "created" : "existing";
}

}  // namespace

void BindConfig(config::Binder& b, WorkorderConfig& c) {
  c.consumer.group_id = "workorder";
  c.producer.client_id = c.consumer.client_id = "workorder";
  b.Field("server", c.server);
  b.Field("kafka_brokers", c.kafka_brokers);
  b.Field("producer", c.producer);
  b.Field("consumer", c.consumer);
  b.Field("redis", c.redis);
  b.Field("redis_key_prefix", c.redis_key_prefix);
  b.Field("classified_topic", c.classified_topic);
  b.Field("alerts_topic", c.alerts_topic);
  b.Field("surveys_topic", c.surveys_topic);
  b.Field("tickets_topic", c.tickets_topic);
  b.Field("calendar", c.calendar);
  b.Field("policy", c.policy);
  b.Field("scheduler_tick", c.scheduler_tick);
  b.Field("timer_lease", c.timer_lease);
  b.Field("relay_idle", c.relay_idle);
  b.Field("consume_batch", c.consume_batch);
  b.Field("erasure_audit_stream", c.erasure.stream);
  b.Field("erasure_audit_max_len", c.erasure.max_len);
  if (c.erasure.stream.empty()) b.Fail("erasure_audit_stream", "must not be empty");
  if (c.erasure.max_len <= 0) b.Fail("erasure_audit_max_len", "must be positive");
  if (!c.kafka_brokers.empty()) c.producer.brokers = c.consumer.brokers = c.kafka_brokers;
  if (c.consumer.topics.empty()) c.consumer.topics = {c.classified_topic, c.alerts_topic, c.surveys_topic};
  if (c.consume_batch <= 0) b.Fail("consume_batch", "must be positive");
  if (c.timer_lease < absl::Seconds(1)) b.Fail("timer_lease", "must be at least 1s");
}

WorkorderMetrics::WorkorderMetrics(prometheus::Registry& registry)
    : inputs_(prometheus::BuildCounter()
                  .Name("workorder_inputs_total")
                  .Help("Records read, by source topic kind and result (created, existing, no_ticket, invalid).")
                  .Register(registry)),
      published_(prometheus::BuildCounter()
                     .Name("workorder_events_published_total")
                     .Help("Ticket events published from the outbox, by type.")
                     .Register(registry)),
      deadlines_(prometheus::BuildCounter()
                     .Name("workorder_deadline_events_total")
                     .Help("Deadline timers fired (warning, breached).")
                     .Register(registry)) {
  // Every series the dashboards and alert rules read exists from the start.
  for (const char* source : {"classified", "alert", "survey"}) {
    for (const char* result : {"created", "existing", "no_ticket", "invalid"}) {
      inputs_.Add({{"source", source}, {"result", result}});
    }
  }
  for (const char* event : {"warning", "breached"}) deadlines_.Add({{"event", event}});
  const auto* types = pb::TicketEventType_descriptor();
  for (int i = 0; i < types->value_count(); ++i) {
    if (types->value(i)->number() != 0) published_.Add({{"type", types->value(i)->name()}});
  }
}

absl::Status InputProcessor::ProcessBatch(const std::vector<kafka::Message>& batch) {
  // Classified feedback first, as one batch (one Redis round trip for the
  // new tickets); then alerts and surveys in their order. Records of
  // different topics have no order between them anyway.
  std::vector<cpb::ClassifiedFeedback> classified;
  classified.reserve(batch.size());
  for (const kafka::Message& m : batch) {
    if (m.topic != config_.classified_topic) continue;
    cpb::ClassifiedFeedback c;
    if (!c.ParseFromString(m.value) || c.feedback().feedback_id().empty()) {
      log::Error("not a ClassifiedFeedback; skipped", {{"offset", std::to_string(m.offset)}});
      metrics_.Input("classified", "invalid");
      continue;
    }
    classified.push_back(std::move(c));
  }
  std::vector<const cpb::ClassifiedFeedback*> items;
  items.reserve(classified.size());
  for (const cpb::ClassifiedFeedback& c : classified) items.push_back(&c);
  auto results = tickets_.FromClassifiedBatch(items);
  if (!results.ok()) return results.status();
  for (const auto& r : *results) metrics_.Input("classified", Created(r));

  for (const kafka::Message& m : batch) {
    if (m.topic == config_.alerts_topic) {
      apb::AlertEvent e;
      if (!e.ParseFromString(m.value) || e.alert().alert_id().empty()) {
        log::Error("not an AlertEvent; skipped", {{"offset", std::to_string(m.offset)}});
        metrics_.Input("alert", "invalid");
        continue;
      }
      auto r = tickets_.FromAlert(e);
      if (!r.ok()) return r.status();
      metrics_.Input("alert", Created(*r));
    } else if (m.topic == config_.surveys_topic) {
      spb::SurveyResponse s;
      if (!s.ParseFromString(m.value) || s.ticket_id().empty()) {
        log::Error("not a SurveyResponse with a ticket id; skipped", {{"offset", std::to_string(m.offset)}});
        metrics_.Input("survey", "invalid");
        continue;
      }
      pb::RecordSurveyRequest req;
      req.set_ticket_id(s.ticket_id());
      req.set_response_id(s.response_id());
      req.set_actor("customer");
      req.mutable_survey()->set_csat(s.csat());
      if (s.has_nps()) req.mutable_survey()->set_nps(s.nps());
      req.mutable_survey()->set_comment(s.comment());
      if (s.has_responded_at()) *req.mutable_survey()->mutable_responded_at() = s.responded_at();
      auto r = tickets_.RecordSurvey(req);
      if (!r.ok() && (absl::IsInvalidArgument(r.status()) || absl::IsNotFound(r.status()))) {
        // A bad answer or an unknown ticket will not get better by retrying.
        log::Error("survey answer not recorded", {{"ticket_id", s.ticket_id()},
                                                  {"error", std::string(r.status().message())}});
        metrics_.Input("survey", "invalid");
        continue;
      }
      if (!r.ok()) return r.status();
      metrics_.Input("survey", "recorded");
    }
  }
  return absl::OkStatus();
}

std::optional<apb::AlertEvent> OutboxRelay::AlertFor(const pb::TicketEvent& e) {
  const pb::Ticket& t = e.ticket();
  apb::Alert a;
  if (e.type() == pb::TICKET_EVENT_TYPE_DEADLINE_BREACHED) {
    const bool response = e.deadline_kind() == pb::DEADLINE_KIND_RESPONSE;
    a.set_alert_id(absl::StrCat("wb-", t.ticket_id(), response ? "-response" : "-resolution", "-", t.reopen_count()));
    a.set_kind(apb::ALERT_KIND_DEADLINE_BREACH);
    a.set_category(apb::ALERT_CATEGORY_DEADLINE);
    a.set_severity(t.priority() <= ppb::PRIORITY_P1_URGENT_IMPORTANT ? apb::SEVERITY_SEV2_HIGH
                                                                     : apb::SEVERITY_SEV3_MEDIUM);
    a.set_summary(absl::StrCat(response ? "response" : "resolution", " deadline missed: ", t.title()));
  } else if (e.type() == pb::TICKET_EVENT_TYPE_REOPENED && e.actor() == "survey") {
    a.set_alert_id(absl::StrCat("ws-", t.ticket_id(), "-", t.reopen_count()));
    a.set_kind(apb::ALERT_KIND_UNHAPPY_CUSTOMER);
    a.set_category(apb::ALERT_CATEGORY_CUSTOMER_SATISFACTION);
    a.set_severity(apb::SEVERITY_SEV3_MEDIUM);
    a.set_summary(absl::StrCat(e.note(), ": ", t.title()));
  } else {
    return std::nullopt;
  }
  a.set_ticket_id(t.ticket_id());
  if (!t.feedback_ids().empty()) a.set_feedback_id(t.feedback_ids(0));
  a.set_customer_pseudonym(t.customer_pseudonym());
  a.set_department(t.department());
  a.set_state(apb::ALERT_STATE_OPEN);
  a.set_group_key(apb::AlertKind_Name(a.kind()));
  *a.mutable_created_at() = e.occurred_at();
  apb::AlertEvent out;
  out.set_event_id(a.alert_id() + ":raised");
  out.set_type(apb::ALERT_EVENT_TYPE_RAISED);
  *out.mutable_alert() = a;
  *out.mutable_occurred_at() = e.occurred_at();
  out.set_actor("workorder");
  return out;
}

absl::StatusOr<int> OutboxRelay::RunOnce(int max) {
  auto entries = store_.ReadOutbox(name_, max, config_.relay_idle);
  if (!entries.ok()) return entries.status();
  if (entries->empty()) return 0;
  auto tracker = std::make_shared<kafka::DeliveryTracker>();
  std::vector<std::string> ids;
  for (const TicketStore::OutboxEntry& o : *entries) {
    ids.push_back(o.id);
    if (o.event.ticket_id().empty()) continue;  // unreadable: dropped (logged below)
    absl::Status s = producer_.Produce({config_.tickets_topic, o.event.ticket_id(), o.event.SerializeAsString(),
                                        {{kafka::kSchemaHeader, o.event.GetTypeName()}}},
                                       tracker->Track(tracker));
    if (!s.ok()) return s;
    if (auto alert = AlertFor(o.event)) {
      s = producer_.Produce({config_.alerts_topic, alert->alert().alert_id(), alert->SerializeAsString(),
                             {{kafka::kSchemaHeader, alert->GetTypeName()}}},
                            tracker->Track(tracker));
      if (!s.ok()) return s;
    }
  }
  if (absl::Status s = tracker->Wait(config_.producer.message_timeout + absl::Seconds(5)); !s.ok()) return s;
  if (absl::Status s = store_.AckOutbox(ids); !s.ok()) return s;
  for (const TicketStore::OutboxEntry& o : *entries) {
    if (o.event.ticket_id().empty()) {
      log::Error("unreadable outbox entry dropped", {{"id", o.id}});
      continue;
    }
    metrics_.Published(pb::TicketEventType_Name(o.event.type()));
    if (o.event.type() == pb::TICKET_EVENT_TYPE_DEADLINE_WARNING) metrics_.Deadline("warning");
    if (o.event.type() == pb::TICKET_EVENT_TYPE_DEADLINE_BREACHED) metrics_.Deadline("breached");
  }
  return static_cast<int>(entries->size());
}

runtime::PermissionTable WorkorderPermissions() {
  const std::string read(runtime::kPermTicketRead), write(runtime::kPermTicketWrite),
      admin(runtime::kPermTicketAdmin);
  return {{"CreateTicket", write},   {"GetTicket", read},        {"ListTickets", read},
          {"TransitionTicket", write}, {"AssignTicket", write},  {"AddComment", write},
          {"SetWaitingOnCustomer", write}, {"RecordSurvey", write}, {"GetAuditTrail", read},
          {"UpsertAgent", admin},    {"ListAgents", read},       {"CreatePlan", admin},
          {"GetPlan", read},         {"ListPlans", read},        {"UpdatePlan", admin},
          {"DeletePlan", admin},     {"EraseCustomer", std::string(runtime::kPermPrivacyAdmin)}};
}

grpc::Status WorkorderGrpcService::CreateTicket(grpc::ServerContext* context, const pb::CreateTicketRequest* r, pb::Ticket* out) {
  auto created = tickets_.Create(WithCallerActor(context, *r));
  if (!created.ok()) return ToGrpc(created.status());
  *out = created->ticket;
  return grpc::Status::OK;
}

grpc::Status WorkorderGrpcService::GetTicket(grpc::ServerContext*, const pb::GetTicketRequest* r, pb::Ticket* out) {
  if (grpc::Status s = RefuseId("ticket_id", r->ticket_id()); !s.ok()) return s;
  auto t = store_.Get(r->ticket_id());
  if (!t.ok()) return ToGrpc(t.status());
  *out = *t;
  return grpc::Status::OK;
}

grpc::Status WorkorderGrpcService::ListTickets(grpc::ServerContext*, const pb::ListTicketsRequest* r,
                                               pb::ListTicketsResponse* out) {
  TicketFilter f;
  f.state = r->state();
  f.department = r->department();
  f.assignee = r->assignee();
  f.priority = r->priority();
  f.customer_pseudonym = r->customer_pseudonym();
  const int size = r->page().page_size() <= 0 ? 50 : std::min(r->page().page_size(), 500);
  auto page = store_.List(f, r->page().page_token(), size);
  if (!page.ok()) return ToGrpc(page.status());
  for (auto& t : page->tickets) *out->add_tickets() = std::move(t);
  out->set_next_page_token(page->next_page_token);
  return grpc::Status::OK;
}

grpc::Status WorkorderGrpcService::TransitionTicket(grpc::ServerContext* context, const pb::TransitionTicketRequest* r,
                                                    pb::Ticket* out) {
  if (grpc::Status s = RefuseId("ticket_id", r->ticket_id()); !s.ok()) return s;
  if (!r->merge_into().empty()) {
    if (grpc::Status s = RefuseId("merge_into", r->merge_into()); !s.ok()) return s;
  }
  auto t = tickets_.Transition(WithCallerActor(context, *r));
  if (!t.ok()) return ToGrpc(t.status());
  *out = *t;
  return grpc::Status::OK;
}

grpc::Status WorkorderGrpcService::AssignTicket(grpc::ServerContext* context, const pb::AssignTicketRequest* r, pb::Ticket* out) {
  if (grpc::Status s = RefuseId("ticket_id", r->ticket_id()); !s.ok()) return s;
  auto t = tickets_.Assign(WithCallerActor(context, *r));
  if (!t.ok()) return ToGrpc(t.status());
  *out = *t;
  return grpc::Status::OK;
}

grpc::Status WorkorderGrpcService::AddComment(grpc::ServerContext* context, const pb::AddCommentRequest* r, pb::Ticket* out) {
  if (grpc::Status s = RefuseId("ticket_id", r->ticket_id()); !s.ok()) return s;
  auto t = tickets_.Comment(WithCallerActor(context, *r));
  if (!t.ok()) return ToGrpc(t.status());
  *out = *t;
  return grpc::Status::OK;
}

grpc::Status WorkorderGrpcService::SetWaitingOnCustomer(grpc::ServerContext* context, const pb::SetWaitingOnCustomerRequest* r,
                                                        pb::Ticket* out) {
  if (grpc::Status s = RefuseId("ticket_id", r->ticket_id()); !s.ok()) return s;
  auto t = tickets_.SetWaiting(WithCallerActor(context, *r));
  if (!t.ok()) return ToGrpc(t.status());
  *out = *t;
  return grpc::Status::OK;
}

grpc::Status WorkorderGrpcService::RecordSurvey(grpc::ServerContext* context, const pb::RecordSurveyRequest* r, pb::Ticket* out) {
  if (grpc::Status s = RefuseId("ticket_id", r->ticket_id()); !s.ok()) return s;
  auto t = tickets_.RecordSurvey(WithCallerActor(context, *r));
  if (!t.ok()) return ToGrpc(t.status());
  *out = *t;
  return grpc::Status::OK;
}

grpc::Status WorkorderGrpcService::GetAuditTrail(grpc::ServerContext*, const pb::GetAuditTrailRequest* r,
                                                 pb::GetAuditTrailResponse* out) {
  if (grpc::Status s = RefuseId("ticket_id", r->ticket_id()); !s.ok()) return s;
  auto t = store_.Get(r->ticket_id());
  if (!t.ok()) return ToGrpc(t.status());
  auto entries = store_.Audit(r->ticket_id());
  if (!entries.ok()) return ToGrpc(entries.status());
  for (auto& e : *entries) *out->add_entries() = std::move(e);
  return grpc::Status::OK;
}

grpc::Status WorkorderGrpcService::UpsertAgent(grpc::ServerContext*, const pb::Agent* r, pb::Agent* out) {
  if (grpc::Status s = RefuseId("agent_id", r->agent_id()); !s.ok()) return s;
  auto a = tickets_.UpsertAgent(*r);
  if (!a.ok()) return ToGrpc(a.status());
  *out = *a;
  return grpc::Status::OK;
}

grpc::Status WorkorderGrpcService::ListAgents(grpc::ServerContext*, const pb::ListAgentsRequest* r,
                                              pb::ListAgentsResponse* out) {
  auto agents = tickets_.ListAgents(r->team());
  if (!agents.ok()) return ToGrpc(agents.status());
  for (auto& a : *agents) *out->add_agents() = std::move(a);
  return grpc::Status::OK;
}

grpc::Status WorkorderGrpcService::CreatePlan(grpc::ServerContext*, const pb::ImprovementPlan* r,
                                              pb::ImprovementPlan* out) {
  auto p = plans_.Create(*r, clock_());
  if (!p.ok()) return ToGrpc(p.status());
  *out = *p;
  return grpc::Status::OK;
}

grpc::Status WorkorderGrpcService::GetPlan(grpc::ServerContext*, const pb::GetPlanRequest* r, pb::ImprovementPlan* out) {
  if (grpc::Status s = RefuseId("plan_id", r->plan_id()); !s.ok()) return s;
  auto p = plans_.Get(r->plan_id());
  if (!p.ok()) return ToGrpc(p.status());
  *out = *p;
  return grpc::Status::OK;
}

grpc::Status WorkorderGrpcService::ListPlans(grpc::ServerContext*, const pb::ListPlansRequest* r,
                                             pb::ListPlansResponse* out) {
  const int size = r->page().page_size() <= 0 ? 50 : std::min(r->page().page_size(), 500);
  auto page = plans_.List(r->state(), r->page().page_token(), size);
  if (!page.ok()) return ToGrpc(page.status());
  for (auto& p : page->plans) *out->add_plans() = std::move(p);
  out->set_next_page_token(page->next_page_token);
  return grpc::Status::OK;
}

grpc::Status WorkorderGrpcService::UpdatePlan(grpc::ServerContext*, const pb::ImprovementPlan* r,
                                              pb::ImprovementPlan* out) {
  if (grpc::Status s = RefuseId("plan_id", r->plan_id()); !s.ok()) return s;
  auto p = plans_.Update(*r, clock_());
  if (!p.ok()) return ToGrpc(p.status());
  *out = *p;
  return grpc::Status::OK;
}

grpc::Status WorkorderGrpcService::DeletePlan(grpc::ServerContext*, const pb::DeletePlanRequest* r,
                                              pb::DeletePlanResponse*) {
  if (grpc::Status s = RefuseId("plan_id", r->plan_id()); !s.ok()) return s;
  return ToGrpc(plans_.Delete(r->plan_id(), r->expected_version()));
}

grpc::Status WorkorderGrpcService::EraseCustomer(grpc::ServerContext* context, const pb::EraseCustomerRequest* r,
                                                 pb::EraseCustomerResponse* out) {
  EraseTicketsRequest req;
  req.pseudonym = r->customer_pseudonym();
  req.reason = r->reason();
  req.erase_text = r->erase_text();
  req.scan_all = r->scan_all();
  req.actor = "anonymous";
  if (context != nullptr) {
    if (auto caller = runtime::CallerOf(*context)) req.actor = caller->name;
  }
  auto report = tickets_.EraseCustomer(req, erasure_);
  if (!report.ok()) {
    log::Error("erasure failed", {{"error", std::string(report.status().message())}});
    return ToGrpc(report.status());
  }
  log::Info("customer erased from tickets", {{"actor", req.actor},
                                             {"tickets_found", std::to_string(report->tickets_found)},
                                             {"tickets_changed", std::to_string(report->tickets_changed)},
                                             {"audit_entry_id", report->audit_entry_id}});
  out->set_tickets_found(report->tickets_found);
  out->set_tickets_changed(report->tickets_changed);
  out->set_audit_entry_id(report->audit_entry_id);
  return grpc::Status::OK;
}

}  // namespace fbl::workorder
