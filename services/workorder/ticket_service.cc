#include "services/workorder/ticket_service.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/runtime/proto_time.h"
#include "libs/text/feedback_id.h"
#include "libs/text/pii.h"
#include "libs/text/utf8.h"
#include "services/workorder/ids.h"
#include "services/workorder/ticket_erasure.h"
#include "services/workorder/ticket_machine.h"

namespace fbl::workorder {
namespace {

namespace apb = ::feedbackloop::alerting::v1;
namespace cpb = ::feedbackloop::classification::v1;
namespace ppb = ::feedbackloop::common::v1;

// Retries of a change that lost a race (no version pinned by the caller).
constexpr int kMaxAttempts = 20;

using runtime::FromProto;
using runtime::ToProto;

// A mutation that changed nothing (a repeated survey answer, a timer that no
// longer applies).
absl::Status Unchanged() { return absl::AlreadyExistsError("unchanged"); }
bool IsUnchanged(const absl::Status& s) { return absl::IsAlreadyExists(s) && s.message() == "unchanged"; }

std::string Timestamp(absl::Time t) { return absl::FormatTime("%Y-%m-%d %H:%M %Z", t, absl::LocalTimeZone()); }

}  // namespace

const DeadlineTarget& TicketPolicy::For(int priority) const {
  switch (priority) {
    case ppb::PRIORITY_P0_CRITICAL:
      return p0;
    case ppb::PRIORITY_P1_URGENT_IMPORTANT:
      return p1;
    case ppb::PRIORITY_P2_IMPORTANT:
      return p2;
    case ppb::PRIORITY_P3_URGENT:
      return p3;
    default:
      return p4;
  }
}

void BindConfig(config::Binder& b, DeadlineTarget& c) {
  b.Field("response", c.response);
  b.Field("resolution", c.resolution);
  if (c.response <= absl::ZeroDuration()) b.Fail("response", "must be positive");
  if (c.resolution < c.response) b.Fail("resolution", "must not be shorter than 'response'");
}

void BindConfig(config::Binder& b, TicketPolicy& c) {
  b.Field("p0_critical", c.p0);
  b.Field("p1_urgent_important", c.p1);
  b.Field("p2_important", c.p2);
  b.Field("p3_urgent", c.p3);
  b.Field("p4_routine", c.p4);
  b.Field("warn_fraction", c.warn_fraction);
  b.Field("unhappy_csat_max", c.unhappy_csat_max);
  b.Field("use_classified_targets", c.use_classified_targets);
  b.Field("open_for_intents", c.open_for_intents);
  for (size_t i = 0; i < c.open_for_intents.size(); ++i) {
    const std::string& v = c.open_for_intents[i];
    if (v != "complaint" && v != "suggestion" && v != "inquiry" && v != "praise") {
      b.Fail(absl::StrCat("open_for_intents[", i, "]"), "must be complaint, suggestion, inquiry or praise");
    }
  }
  if (c.warn_fraction <= 0 || c.warn_fraction >= 1) b.Fail("warn_fraction", "must be in (0, 1)");
  if (c.unhappy_csat_max < 0 || c.unhappy_csat_max > 5) b.Fail("unhappy_csat_max", "must be 0..5");
}

void TicketService::Reopen(pb::Ticket& t, absl::Time now) const {
  t.set_reopen_count(t.reopen_count() + 1);
  t.clear_resolved_at();
  t.clear_closed_at();
  t.set_resolution_warned(false);
  t.set_resolution_breached(false);
  *t.mutable_clock_started_at() = ToProto(now);
  t.clear_paused();
  *t.mutable_resolution_due() = ToProto(Due(t, now, policy_.For(t.priority()).resolution));
}

absl::Time TicketService::Due(const pb::Ticket& t, absl::Time start, absl::Duration target) const {
  if (t.priority() == ppb::PRIORITY_P0_CRITICAL) return start + target;  // crises run on the wall clock
  return calendar_.Add(start, target);
}

std::vector<Timer> TicketService::TimersFor(const pb::Ticket& t) const {
  std::vector<Timer> out;
  if (!IsOpen(t.state()) || t.has_waiting_since()) return out;  // paused while waiting on the customer
  const absl::Time start = t.has_clock_started_at() ? FromProto(t.clock_started_at()) : FromProto(t.created_at());
  const bool wall = t.priority() == ppb::PRIORITY_P0_CRITICAL;
  // Time spent waiting on the customer since the clocks started moved the due
  // times; the warning point moves with it (pauses are taken to come before it).
  const absl::Duration paused = FromProto(t.paused());
  auto add = [&](const char* kind, const google::protobuf::Timestamp& due_pb, bool warned, bool breached) {
    const absl::Time due = FromProto(due_pb);
    if (!warned) {
      const absl::Time warn =
          wall ? start + paused + (due - start - paused) * policy_.warn_fraction
               : calendar_.Add(start, paused + (calendar_.Between(start, due) - paused) * policy_.warn_fraction);
      out.push_back({absl::StrCat(t.ticket_id(), "|", kind, "|warn"), warn});
    }
    if (!breached) out.push_back({absl::StrCat(t.ticket_id(), "|", kind, "|breach"), due});
  };
  if (!t.has_first_response_at() && t.has_response_due()) {
    add("response", t.response_due(), t.response_warned(), t.response_breached());
  }
  if (t.has_resolution_due()) add("resolution", t.resolution_due(), t.resolution_warned(), t.resolution_breached());
  return out;
}

pb::TicketEvent TicketService::Event(const pb::Ticket& t, pb::TicketEventType type, const std::string& actor,
                                     const std::string& suffix) const {
  pb::TicketEvent e;
  e.set_event_id(suffix);  // completed with the version by Mutate/Open
  e.set_ticket_id(t.ticket_id());
  e.set_type(type);
  e.set_actor(actor);
  *e.mutable_occurred_at() = ToProto(clock_());
  e.set_from_state(t.state());
  e.set_to_state(t.state());
  return e;
}

pb::AuditEntry TicketService::Audit(const pb::Ticket& t, const std::string& actor, const std::string& action,
                                    const std::string& detail) const {
  pb::AuditEntry a;
  a.set_ticket_id(t.ticket_id());
  a.set_actor(actor);
  a.set_action(action);
  a.set_detail(detail);
  *a.mutable_at() = ToProto(clock_());
  return a;
}

pb::CustomerNotice TicketService::Notice(const pb::Ticket& t, const std::string& what) const {
  pb::CustomerNotice n;
  const absl::Time by = FromProto(t.resolution_due());
  n.set_message(absl::StrCat(what, t.has_resolution_due() && IsOpen(t.state())
                                        ? absl::StrCat("，预计 ", Timestamp(by), " 前处理完毕")
                                        : ""));
  if (t.has_resolution_due() && IsOpen(t.state())) *n.mutable_expected_by() = t.resolution_due();
  return n;
}

// Gives every event the ticket as written and a deterministic id.
static void Finish(pb::Ticket& t, Change& change) {
  for (size_t i = 0; i < change.events.size(); ++i) {
    pb::TicketEvent& e = change.events[i];
    e.set_version(t.version());
    e.set_to_state(e.type() == pb::TICKET_EVENT_TYPE_STATE_CHANGED || e.type() == pb::TICKET_EVENT_TYPE_REOPENED ||
                           e.type() == pb::TICKET_EVENT_TYPE_CREATED
                       ? t.state()
                       : e.to_state());
    e.set_event_id(absl::StrCat(t.ticket_id(), ":", t.version(), ":", i, ":", e.event_id()));
    *e.mutable_ticket() = t;
  }
  for (pb::AuditEntry& a : change.audit) a.set_version(t.version());
}

TicketStore::NewTicket TicketService::PrepareOpen(pb::Ticket t, const std::string& actor,
                                                  std::optional<DeadlineTarget> target,
                                                  std::vector<std::string> idempotency) const {
  const absl::Time now = clock_();
  t.set_ticket_id("tk-" + text::NewFeedbackId());
  t.set_state(pb::TICKET_STATE_PENDING);
  *t.mutable_created_at() = *t.mutable_updated_at() = *t.mutable_clock_started_at() = ToProto(now);
  const DeadlineTarget tg = target.value_or(policy_.For(t.priority()));
  *t.mutable_response_due() = ToProto(Due(t, now, tg.response));
  *t.mutable_resolution_due() = ToProto(Due(t, now, tg.resolution));
  t.set_version(1);
  Change change;
  change.idempotency = std::move(idempotency);
  pb::TicketEvent created = Event(t, pb::TICKET_EVENT_TYPE_CREATED, actor, "created");
  created.set_from_state(pb::TICKET_STATE_UNSPECIFIED);
  *created.mutable_customer_notice() = Notice(t, "您的反馈已受理");
  change.events.push_back(std::move(created));
  change.audit.push_back(Audit(t, actor, "create",
                               absl::StrCat(pb::TicketOrigin_Name(t.origin()), " ", ppb::Priority_Name(t.priority()),
                                            " department ", t.department())));
  change.timers = TimersFor(t);
  Finish(t, change);
  return {std::move(t), std::move(change)};
}

absl::StatusOr<TicketStore::Created> TicketService::Open(pb::Ticket t, const std::string& actor,
                                                         std::optional<DeadlineTarget> target,
                                                         std::vector<std::string> idempotency) {
  TicketStore::NewTicket n = PrepareOpen(std::move(t), actor, target, std::move(idempotency));
  return store_.Create(std::move(n.ticket), n.change);
}

absl::StatusOr<pb::Ticket> TicketService::Mutate(const std::string& ticket_id, int64_t expected_version,
                                                 const Mutation& mutate) {
  for (int attempt = 1;; ++attempt) {
    auto current = store_.Get(ticket_id);
    if (!current.ok()) return current.status();
    if (expected_version > 0 && current->version() != expected_version) {
      return absl::AbortedError(absl::StrCat("ticket ", EchoId(ticket_id), " is at version ", current->version(), ", not ",
                                             expected_version, "; read it again"));
    }
    pb::Ticket t = *current;
    Change change;
    if (absl::Status s = mutate(t, change); !s.ok()) {
      if (IsUnchanged(s)) return *current;
      return s;
    }
    *t.mutable_updated_at() = ToProto(clock_());
    t.set_version(current->version() + 1);
    change.timers = TimersFor(t);
    // WO-4: an agent's load is the open tickets assigned to them.
    auto held = [](const pb::Ticket& x) { return IsOpen(x.state()) && !x.assignee().empty(); };
    const bool same = current->assignee() == t.assignee();
    if (held(*current) && (!held(t) || !same)) change.load.push_back({current->assignee(), -1, -1});
    if (held(t) && (!held(*current) || !same)) change.load.push_back({t.assignee(), 1, change.new_assignee_capacity});
    Finish(t, change);
    auto written = store_.Update(*current, t, change);
    if (written.ok() || !absl::IsAborted(written.status()) || expected_version > 0 || attempt == kMaxAttempts) {
      return written;
    }
    absl::SleepFor(absl::Microseconds(100 * attempt));  // let the winner's change land
  }
}

std::optional<TicketStore::NewTicket> TicketService::PlanFromClassified(const cpb::ClassifiedFeedback& c) const {
  const auto& f = c.feedback();
  std::string intent;
  for (const cpb::Tag& tag : c.tags()) {
    if (tag.level() == cpb::TAG_LEVEL_L1) intent = tag.code();
  }
  const auto& open_for = policy_.open_for_intents;
  if (!c.needs_action() ||
      (!intent.empty() && std::find(open_for.begin(), open_for.end(), intent) == open_for.end())) {
    return std::nullopt;
  }
  pb::Ticket t;
  t.add_feedback_ids(f.feedback_id());
  t.set_priority(c.priority());
  t.set_origin(pb::TICKET_ORIGIN_FEEDBACK);
  t.set_department(c.department());
  t.set_customer_pseudonym(f.customer_pseudonym());
  t.set_language(f.language());
  t.set_problem_type(cpb::ProblemType_Name(c.problem_type()));
  std::string l3_names;
  for (const cpb::Tag& tag : c.tags()) {
    t.add_tags(tag.code());
    if (tag.level() == cpb::TAG_LEVEL_L3 && l3_names.empty()) l3_names = tag.name();
  }
  const std::string text = f.title().empty() ? f.text() : f.title();
  // Cut on code point boundaries: a split UTF-8 sequence makes the ticket unparseable.
  t.set_title(l3_names.empty() ? std::string(text::Utf8Prefix(text, 90)) : l3_names);
  t.set_summary(std::string(text::Utf8Prefix(f.text(), 600)));
  std::optional<DeadlineTarget> target;
  if (policy_.use_classified_targets && c.has_response_within() && c.has_resolution_within()) {
    target = DeadlineTarget{FromProto(c.response_within()), FromProto(c.resolution_within())};
  }
  return PrepareOpen(std::move(t), "classification", target, {"fb:" + f.feedback_id()});
}

absl::StatusOr<std::optional<TicketStore::Created>> TicketService::AttachDuplicate(const cpb::ClassifiedFeedback& c) {
  const auto& f = c.feedback();
  // WO-1: a near-duplicate joins its original's ticket, once.
  auto original = store_.Lookup("fb:" + f.duplicate_of());
  if (!original.ok()) return original.status();
  if (!original->has_value()) return std::optional<TicketStore::Created>();
  auto t = Mutate(**original, 0, [&](pb::Ticket& t, Change& change) {
    if (std::find(t.feedback_ids().begin(), t.feedback_ids().end(), f.feedback_id()) != t.feedback_ids().end()) {
      return Unchanged();
    }
    t.add_feedback_ids(f.feedback_id());
    change.idempotency.push_back("fb:" + f.feedback_id());
    change.audit.push_back(Audit(t, "system", "attach", "near-duplicate feedback " + f.feedback_id()));
    return absl::OkStatus();
  });
  if (!t.ok()) return t.status();
  return std::optional<TicketStore::Created>(TicketStore::Created{*t, false});
}

absl::StatusOr<std::optional<TicketStore::Created>> TicketService::FromClassified(const cpb::ClassifiedFeedback& c) {
  auto out = FromClassifiedBatch({&c});
  if (!out.ok()) return out.status();
  return std::move(out->front());
}

absl::StatusOr<std::vector<std::optional<TicketStore::Created>>> TicketService::FromClassifiedBatch(
    const std::vector<const cpb::ClassifiedFeedback*>& batch) {
  std::vector<std::optional<TicketStore::Created>> out(batch.size());
  std::vector<TicketStore::NewTicket> opens;
  std::vector<size_t> opened_at;  // opens[k] belongs to batch[opened_at[k]]
  for (size_t i = 0; i < batch.size(); ++i) {
    if (!batch[i]->feedback().duplicate_of().empty()) continue;
    if (auto plan = PlanFromClassified(*batch[i])) {
      opens.push_back(*std::move(plan));
      opened_at.push_back(i);
    }
  }
  auto created = store_.CreateMany(std::move(opens));
  if (!created.ok()) return created.status();
  for (size_t k = 0; k < created->size(); ++k) out[opened_at[k]] = std::move((*created)[k]);
  // Near-duplicates after the opens: an original may be in this very batch.
  for (size_t i = 0; i < batch.size(); ++i) {
    if (batch[i]->feedback().duplicate_of().empty()) continue;
    auto attached = AttachDuplicate(*batch[i]);
    if (!attached.ok()) return attached.status();
    out[i] = *std::move(attached);
  }
  std::vector<std::string> fresh;
  for (const auto& c : out) {
    if (c && c->created) fresh.push_back(c->ticket.ticket_id());
  }
  AssignNew(fresh);
  return out;
}

absl::StatusOr<std::optional<TicketStore::Created>> TicketService::FromAlert(const apb::AlertEvent& e) {
  const apb::Alert& a = e.alert();
  if (e.type() != apb::ALERT_EVENT_TYPE_RAISED || a.kind() != apb::ALERT_KIND_RED_ALERT) {
    return std::optional<TicketStore::Created>();
  }
  // The feedback may already have a ticket (classification came first): it
  // becomes the crisis ticket, raised to P0 with the alert's deadlines.
  if (!a.feedback_id().empty()) {
    auto existing = store_.Lookup("fb:" + a.feedback_id());
    if (!existing.ok()) return existing.status();
    if (existing->has_value()) {
      auto t = Mutate(**existing, 0, [&](pb::Ticket& t, Change& change) {
        if (t.alert_id() == a.alert_id() || !IsOpen(t.state())) return Unchanged();
        const int before = t.priority();
        const absl::Time now = clock_();
        t.set_priority(ppb::PRIORITY_P0_CRITICAL);
        t.set_alert_id(a.alert_id());
        if (!t.has_first_response_at()) *t.mutable_response_due() = ToProto(now + policy_.p0.response);
        *t.mutable_resolution_due() = ToProto(std::min(FromProto(t.resolution_due()), now + policy_.p0.resolution));
        t.set_response_warned(false);
        t.set_resolution_warned(false);
        *t.mutable_clock_started_at() = ToProto(now);
        t.clear_paused();
        change.idempotency.push_back("alert:" + a.alert_id());
        pb::TicketEvent e = Event(t, pb::TICKET_EVENT_TYPE_PRIORITY_CHANGED, "alerting", "red-alert");
        e.set_note(absl::StrCat("red alert ", a.alert_id(), ": ", ppb::Priority_Name(static_cast<ppb::Priority>(before)),
                                " -> PRIORITY_P0_CRITICAL"));
        change.events.push_back(e);
        change.audit.push_back(Audit(t, "alerting", "priority", e.note()));
        return absl::OkStatus();
      });
      if (!t.ok()) return t.status();
      return std::optional<TicketStore::Created>(TicketStore::Created{*t, false});
    }
  }
  pb::Ticket t;
  if (!a.feedback_id().empty()) t.add_feedback_ids(a.feedback_id());
  t.set_priority(ppb::PRIORITY_P0_CRITICAL);
  t.set_origin(pb::TICKET_ORIGIN_RED_ALERT);
  t.set_alert_id(a.alert_id());
  t.set_department(a.department().empty() ? "crisis_team" : a.department());
  t.set_customer_pseudonym(a.customer_pseudonym());
  t.set_title(absl::StrCat("红色警报 ", apb::AlertCategory_Name(a.category())));
  t.set_summary(a.summary());
  std::vector<std::string> keys = {"alert:" + a.alert_id()};
  if (!a.feedback_id().empty()) keys.push_back("fb:" + a.feedback_id());
  // The alert's own contact promise (ALR-3) is the response target when it has one.
  std::optional<DeadlineTarget> target;
  if (a.has_contact_due() && a.has_created_at()) {
    const absl::Duration contact = FromProto(a.contact_due()) - FromProto(a.created_at());
    if (contact > absl::ZeroDuration()) target = DeadlineTarget{contact, std::max(contact, policy_.p0.resolution)};
  }
  auto created = Open(std::move(t), "alerting", target, keys);
  if (!created.ok()) return created.status();
  if (created->created) AssignNew({created->ticket.ticket_id()});
  return std::optional<TicketStore::Created>(*std::move(created));
}

absl::StatusOr<TicketStore::Created> TicketService::Create(const pb::CreateTicketRequest& r) {
  if (r.title().empty()) return absl::InvalidArgumentError("title is required");
  if (r.actor().empty()) return absl::InvalidArgumentError("actor is required (who creates it)");
  if (r.priority() == ppb::PRIORITY_UNSPECIFIED) return absl::InvalidArgumentError("priority is required");
  pb::Ticket t;
  if (!r.feedback_id().empty()) t.add_feedback_ids(r.feedback_id());
  t.set_title(r.title());
  t.set_summary(r.summary());
  t.set_priority(r.priority());
  t.set_department(r.department().empty() ? "customer_service" : r.department());
  t.set_customer_pseudonym(r.customer_pseudonym());
  for (const std::string& tag : r.tags()) t.add_tags(tag);
  t.set_origin(r.origin() == pb::TICKET_ORIGIN_UNSPECIFIED ? pb::TICKET_ORIGIN_API : r.origin());
  t.set_alert_id(r.alert_id());
  t.set_problem_type(r.problem_type());
  std::vector<std::string> keys;
  if (!r.feedback_id().empty()) keys.push_back("fb:" + r.feedback_id());
  if (!r.alert_id().empty()) keys.push_back("alert:" + r.alert_id());
  auto created = Open(std::move(t), r.actor(), std::nullopt, keys);
  if (!created.ok()) return created.status();
  if (created->created) AssignNew({created->ticket.ticket_id()});
  if (auto latest = store_.Get(created->ticket.ticket_id()); latest.ok()) created->ticket = *std::move(latest);
  return created;
}

absl::StatusOr<pb::Ticket> TicketService::Transition(const pb::TransitionTicketRequest& r) {
  if (r.ticket_id().empty()) return absl::InvalidArgumentError("ticket_id is required");
  if (r.actor().empty()) return absl::InvalidArgumentError("actor is required (who changes it)");
  if (r.to_state() == pb::TICKET_STATE_UNSPECIFIED) return absl::InvalidArgumentError("to_state is required");
  const bool merge = r.to_state() == pb::TICKET_STATE_MERGED;
  if (merge) {
    if (r.merge_into().empty() || r.merge_into() == r.ticket_id()) {
      return absl::InvalidArgumentError("merge_into must name another ticket");
    }
    auto target = store_.Get(r.merge_into());
    if (!target.ok()) return target.status();
    if (!IsOpen(target->state())) {
      return absl::FailedPreconditionError(absl::StrCat("cannot merge into ", EchoId(r.merge_into()), ": it is ",
                                                        StateName(target->state())));
    }
  }
  std::vector<std::string> moved;  // feedback ids that follow a merge
  auto done = Mutate(r.ticket_id(), r.expected_version(), [&](pb::Ticket& t, Change& change) {
    if (merge) {
      t.set_merged_into(r.merge_into());
      moved.assign(t.feedback_ids().begin(), t.feedback_ids().end());
    }
    const pb::TicketState from = t.state(), to = r.to_state();
    if (absl::Status s = CheckTransition(from, to); !s.ok()) return s;
    const absl::Time now = clock_();
    const bool reopen = IsReopen(from, to);
    if (reopen) {
      Reopen(t, now);
    }
    if (to == pb::TICKET_STATE_IN_PROGRESS && !t.has_first_response_at()) *t.mutable_first_response_at() = ToProto(now);
    if (to == pb::TICKET_STATE_DONE) *t.mutable_resolved_at() = ToProto(now);
    if (to == pb::TICKET_STATE_CLOSED) *t.mutable_closed_at() = ToProto(now);
    t.set_state(to);
    pb::TicketEvent e = Event(t, reopen ? pb::TICKET_EVENT_TYPE_REOPENED : pb::TICKET_EVENT_TYPE_STATE_CHANGED,
                              r.actor(), reopen ? "reopened" : "state");
    e.set_from_state(from);
    e.set_note(r.note());
    change.events.push_back(e);
    if (to == pb::TICKET_STATE_DONE) {
      change.events.push_back(Event(t, pb::TICKET_EVENT_TYPE_SURVEY_REQUESTED, r.actor(), "survey"));
    }
    // WO-5: what the customer hears.
    const char* notice = to == pb::TICKET_STATE_IN_PROGRESS && !reopen ? "您的问题正在处理中"
                         : reopen                                     ? "您的问题已重新处理"
                         : to == pb::TICKET_STATE_DONE                ? "您的问题已处理完毕，欢迎评价"
                         : to == pb::TICKET_STATE_CANCELLED           ? "您的工单已取消"
                                                                      : nullptr;
    if (notice != nullptr) {
      pb::TicketEvent n = Event(t, pb::TICKET_EVENT_TYPE_CUSTOMER_NOTICE, r.actor(), "notice");
      *n.mutable_customer_notice() = Notice(t, notice);
      change.events.push_back(std::move(n));
    }
    change.audit.push_back(
        Audit(t, r.actor(), "transition",
              absl::StrCat(StateName(from), " -> ", StateName(to), merge ? " " + r.merge_into() : "",
                           r.note().empty() ? "" : ": ", r.note())));
    return absl::OkStatus();
  });
  if (!done.ok() || !merge) return done;
  // The surviving ticket takes the merged one's feedback.
  auto joined = Mutate(r.merge_into(), 0, [&](pb::Ticket& t, Change& change) {
    for (const std::string& f : moved) {
      if (std::find(t.feedback_ids().begin(), t.feedback_ids().end(), f) == t.feedback_ids().end()) {
        t.add_feedback_ids(f);
      }
    }
    pb::TicketEvent e = Event(t, pb::TICKET_EVENT_TYPE_MERGED, r.actor(), "merged");
    e.set_note(absl::StrCat("merged from ", r.ticket_id()));
    change.events.push_back(std::move(e));
    change.audit.push_back(Audit(t, r.actor(), "merge", absl::StrCat("from ", r.ticket_id())));
    return absl::OkStatus();
  });
  if (!joined.ok()) return joined.status();
  return done;
}

absl::StatusOr<pb::Ticket> TicketService::Assign(const pb::AssignTicketRequest& r) {
  if (r.ticket_id().empty()) return absl::InvalidArgumentError("ticket_id is required");
  if (r.actor().empty()) return absl::InvalidArgumentError("actor is required (who assigns)");
  if (r.assignee().empty()) return AutoAssign(r.ticket_id());
  return Mutate(r.ticket_id(), r.expected_version(), [&](pb::Ticket& t, Change& change) {
    if (!IsOpen(t.state())) {
      return absl::FailedPreconditionError(absl::StrCat("ticket is ", StateName(t.state()), "; only open tickets are assigned"));
    }
    if (t.assignee() == r.assignee()) return Unchanged();
    const std::string before = t.assignee();
    t.set_assignee(r.assignee());
    change.events.push_back(Event(t, pb::TICKET_EVENT_TYPE_ASSIGNED, r.actor(), "assigned"));
    change.audit.push_back(Audit(t, r.actor(), "assign",
                                 absl::StrCat(before.empty() ? "-" : before, " -> ", r.assignee())));
    return absl::OkStatus();
  });
}

absl::StatusOr<pb::Ticket> TicketService::Comment(const pb::AddCommentRequest& r) {
  if (r.ticket_id().empty()) return absl::InvalidArgumentError("ticket_id is required");
  if (r.actor().empty()) return absl::InvalidArgumentError("actor is required (who comments)");
  if (r.text().find_first_not_of(" \t\r\n") == std::string::npos) return absl::InvalidArgumentError("text is empty");
  return Mutate(r.ticket_id(), 0, [&](pb::Ticket& t, Change& change) {
    pb::TicketEvent e = Event(t, pb::TICKET_EVENT_TYPE_COMMENTED, r.actor(), "comment");
    e.set_note(r.text());
    change.events.push_back(std::move(e));
    if (r.customer_visible()) {
      pb::TicketEvent n = Event(t, pb::TICKET_EVENT_TYPE_CUSTOMER_NOTICE, r.actor(), "notice");
      n.mutable_customer_notice()->set_message(r.text());
      change.events.push_back(std::move(n));
    }
    change.audit.push_back(Audit(t, r.actor(), r.customer_visible() ? "comment (customer visible)" : "comment", r.text()));
    return absl::OkStatus();
  });
}

absl::StatusOr<pb::Ticket> TicketService::SetWaiting(const pb::SetWaitingOnCustomerRequest& r) {
  if (r.ticket_id().empty()) return absl::InvalidArgumentError("ticket_id is required");
  if (r.actor().empty()) return absl::InvalidArgumentError("actor is required");
  return Mutate(r.ticket_id(), r.expected_version(), [&](pb::Ticket& t, Change& change) {
    if (!IsOpen(t.state())) {
      return absl::FailedPreconditionError(absl::StrCat("ticket is ", StateName(t.state()), "; only open tickets wait"));
    }
    if (r.waiting() == t.has_waiting_since()) return Unchanged();
    const absl::Time now = clock_();
    const bool wall = t.priority() == ppb::PRIORITY_P0_CRITICAL;
    if (r.waiting()) {
      *t.mutable_waiting_since() = ToProto(now);
    } else {
      const absl::Time since = FromProto(t.waiting_since());
      // What was left of each clock at the pause is what is left now.
      auto resume = [&](google::protobuf::Timestamp* due) {
        const absl::Time d = FromProto(*due);
        *due = ToProto(wall ? now + (d - since) : calendar_.Add(now, calendar_.Between(since, d)));
      };
      if (t.has_response_due()) resume(t.mutable_response_due());
      if (t.has_resolution_due()) resume(t.mutable_resolution_due());
      const absl::Duration paused = wall ? now - since : calendar_.Between(since, now);
      *t.mutable_paused() = ToProto(FromProto(t.paused()) + paused);
      t.clear_waiting_since();
    }
    t.set_waiting_on_customer(r.waiting());
    pb::TicketEvent e = Event(t, pb::TICKET_EVENT_TYPE_STATE_CHANGED, r.actor(), r.waiting() ? "waiting" : "resumed");
    e.set_note(r.note().empty() ? (r.waiting() ? "waiting on the customer" : "customer answered") : r.note());
    change.events.push_back(std::move(e));
    change.audit.push_back(Audit(t, r.actor(), r.waiting() ? "wait on customer" : "resume", r.note()));
    return absl::OkStatus();
  });
}

absl::StatusOr<pb::Ticket> TicketService::RecordSurvey(const pb::RecordSurveyRequest& r) {
  if (r.ticket_id().empty()) return absl::InvalidArgumentError("ticket_id is required");
  const pb::SurveyResult& s = r.survey();
  if (s.csat() < 1 || s.csat() > 5) return absl::InvalidArgumentError("survey.csat must be 1..5");
  if (s.has_nps() && (s.nps() < 0 || s.nps() > 10)) return absl::InvalidArgumentError("survey.nps must be 0..10");
  const std::string actor = r.actor().empty() ? "survey" : r.actor();
  return Mutate(r.ticket_id(), 0, [&](pb::Ticket& t, Change& change) {
    if (!r.response_id().empty() && t.survey().response_id() == r.response_id()) return Unchanged();
    *t.mutable_survey() = s;
    t.mutable_survey()->set_response_id(r.response_id());
    if (!s.has_responded_at()) *t.mutable_survey()->mutable_responded_at() = ToProto(clock_());
    pb::TicketEvent e = Event(t, pb::TICKET_EVENT_TYPE_SURVEY_RECORDED, actor, "survey-recorded");
    e.set_note(absl::StrCat("CSAT ", s.csat(), s.has_nps() ? absl::StrCat(", NPS ", s.nps()) : "",
                            s.comment().empty() ? "" : ": ", s.comment()));
    change.events.push_back(e);
    change.audit.push_back(Audit(t, actor, "survey", e.note()));
    const bool unhappy = s.csat() <= policy_.unhappy_csat_max;
    if (unhappy && (t.state() == pb::TICKET_STATE_DONE || t.state() == pb::TICKET_STATE_CLOSED)) {
      // WO-6: an unhappy answer reopens the ticket and tells the supervisor
      // (the relay turns this event into an alert).
      const pb::TicketState from = t.state();
      const absl::Time now = clock_();
      t.set_state(pb::TICKET_STATE_IN_PROGRESS);
      Reopen(t, now);
      pb::TicketEvent reopened = Event(t, pb::TICKET_EVENT_TYPE_REOPENED, "survey", "unhappy");
      reopened.set_from_state(from);
      reopened.set_note(absl::StrCat("unhappy survey answer (CSAT ", s.csat(), ")"));
      change.events.push_back(std::move(reopened));
      change.audit.push_back(Audit(t, "survey", "reopen", absl::StrCat("CSAT ", s.csat(), " <= ",
                                                                        policy_.unhappy_csat_max)));
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<EraseTicketsReport> TicketService::EraseCustomer(const EraseTicketsRequest& r,
                                                               const ErasureAudit& audit) {
  if (!IsCustomerPseudonym(r.pseudonym)) {
    return absl::InvalidArgumentError("customer_pseudonym must be \"c_\" followed by 32 lower-case hex digits");
  }
  if (r.reason.find_first_not_of(" \t\r\n") == std::string::npos) return absl::InvalidArgumentError("reason is required");
  if (r.reason.size() > kMaxEraseReasonBytes) {
    return absl::InvalidArgumentError(absl::StrCat("reason is longer than ", kMaxEraseReasonBytes, " bytes"));
  }
  const std::string actor = r.actor.empty() ? "anonymous" : r.actor;
  const std::string reason = ShortReason(r.reason);
  // 1. The customer's tickets: the index, and optionally every ticket.
  auto indexed = store_.CustomerTicketIds(r.pseudonym);
  if (!indexed.ok()) return indexed.status();
  std::set<std::string> ids(indexed->begin(), indexed->end());
  if (r.scan_all) {
    std::string cursor = "0";
    do {
      auto step = store_.ScanTickets(cursor, 1000);
      if (!step.ok()) return step.status();
      cursor = step->first;
      for (const pb::Ticket& t : step->second) {
        if (t.customer_pseudonym() == r.pseudonym) ids.insert(t.ticket_id());
      }
    } while (cursor != "0");
  }
  // 2. Each ticket in one versioned change (retried on a concurrent one).
  EraseTicketsReport report;
  for (const std::string& id : ids) {
    bool theirs = false, changed = false;
    auto erased = Mutate(id, 0, [&](pb::Ticket& t, Change& change) -> absl::Status {
      changed = false;
      theirs = t.customer_pseudonym() == r.pseudonym;  // the index could be stale
      if (!theirs || !r.erase_text) return Unchanged();
      const bool ticket_changed = EraseTicketText(t);
      auto entries = store_.AuditRaw(t.ticket_id());
      if (!entries.ok()) return entries.status();
      for (size_t i = 0; i < entries->size(); ++i) {
        pb::AuditEntry a;
        if (!a.ParseFromString((*entries)[i])) continue;
        if (auto redacted = EraseAuditText(a)) {
          change.audit_rewrites.push_back({static_cast<int64_t>(i), (*entries)[i], redacted->SerializeAsString()});
        }
      }
      if (!ticket_changed && change.audit_rewrites.empty()) return Unchanged();
      pb::TicketEvent e = Event(t, pb::TICKET_EVENT_TYPE_ERASED, actor, "erased");
      e.set_note("customer text erased on request");
      change.events.push_back(std::move(e));
      change.audit.push_back(Audit(t, actor, "erase",
                                   absl::StrCat("customer text erased (", change.audit_rewrites.size(),
                                                " audit entries): ", reason)));
      changed = true;
      return absl::OkStatus();
    });
    if (absl::IsNotFound(erased.status())) continue;  // deleted meanwhile
    if (!erased.ok()) return erased.status();
    if (!theirs) continue;
    ++report.tickets_found;
    report.tickets_changed += changed;  // as of the attempt that was written
  }
  // 3. The record that it was done (same fields as intake's, plus service).
  auto entry = store_.AppendToStream(
      audit.stream, audit.max_len,
      {{"actor", actor},
       {"customer_pseudonym", r.pseudonym},
       {"records_found", std::to_string(report.tickets_found)},
       {"records_erased", std::to_string(report.tickets_changed)},
       {"erase_text", r.erase_text ? "true" : "false"},
       {"reason", text::MaskPii(r.reason).text},
       {"at", absl::FormatTime(absl::RFC3339_full, clock_(), absl::UTCTimeZone())},
       {"service", "workorder"}});
  if (!entry.ok()) return entry.status();
  report.audit_entry_id = *entry;
  return report;
}

namespace {

// Whether the agent speaks the ticket's language ("zh" matches "zh-CN");
// agents without languages listed, and tickets without one, always match.
bool SpeaksLanguage(const pb::Agent& a, const pb::Ticket& t) {
  if (a.languages().empty() || t.language().empty()) return true;
  const std::string lang = t.language().substr(0, t.language().find('-'));
  return std::any_of(a.languages().begin(), a.languages().end(),
                     [&](const std::string& l) { return l.substr(0, l.find('-')) == lang; });
}

// Skill overlap of an agent with a ticket: its tags and problem type.
int SkillMatch(const pb::Agent& a, const pb::Ticket& t) {
  int n = 0;
  for (const std::string& skill : a.skills()) {
    n += skill == t.problem_type() || std::find(t.tags().begin(), t.tags().end(), skill) != t.tags().end();
  }
  return n;
}

}  // namespace

absl::StatusOr<pb::Ticket> TicketService::AutoAssign(const std::string& ticket_id) {
  auto t = store_.Get(ticket_id);
  if (!t.ok()) return t.status();
  if (!IsOpen(t->state()) || !t->assignee().empty()) {
    if (absl::Status s = store_.Dequeue(ticket_id); !s.ok()) return s;
    return *t;
  }
  auto agents = store_.Agents();
  if (!agents.ok()) return agents.status();
  auto loads = store_.Loads();
  if (!loads.ok()) return loads.status();
  // Candidates: on shift, in the ticket's team (or any team), speaking the
  // customer's language, with room; a specialist must share a skill, a
  // generalist (no skills) takes anything.
  struct Candidate {
    const pb::Agent* agent;
    int match;
    double load;
  };
  std::vector<Candidate> candidates;
  for (const pb::Agent& a : *agents) {
    const int64_t load = loads->contains(a.agent_id()) ? loads->at(a.agent_id()) : 0;
    if (!a.active() || load >= a.capacity()) continue;
    if (!a.teams().empty() && std::find(a.teams().begin(), a.teams().end(), t->department()) == a.teams().end()) {
      continue;
    }
    if (!SpeaksLanguage(a, *t)) continue;
    const int match = SkillMatch(a, *t);
    if (!a.skills().empty() && match == 0) continue;
    candidates.push_back({&a, match, static_cast<double>(load) / a.capacity()});
  }
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& x, const Candidate& y) {
    if (x.match != y.match) return x.match > y.match;
    if (x.load != y.load) return x.load < y.load;
    return x.agent->agent_id() < y.agent->agent_id();
  });
  for (const Candidate& c : candidates) {
    auto assigned = Mutate(ticket_id, 0, [&](pb::Ticket& t, Change& change) {
      if (!IsOpen(t.state()) || !t.assignee().empty()) return Unchanged();
      t.set_assignee(c.agent->agent_id());
      change.new_assignee_capacity = c.agent->capacity();
      change.events.push_back(Event(t, pb::TICKET_EVENT_TYPE_ASSIGNED, "dispatcher", "assigned"));
      change.audit.push_back(Audit(t, "dispatcher", "assign",
                                   absl::StrCat("-> ", c.agent->agent_id(), " (skill match ", c.match, ", load ",
                                                static_cast<int>(c.load * c.agent->capacity()), "/",
                                                c.agent->capacity(), ")")));
      return absl::OkStatus();
    });
    if (assigned.ok()) {
      if (absl::Status s = store_.Dequeue(ticket_id); !s.ok()) return s;
      return assigned;
    }
    if (!absl::IsResourceExhausted(assigned.status())) return assigned.status();
    // Filled up meanwhile (another replica): try the next one.
  }
  if (absl::Status s = store_.Enqueue(*t); !s.ok()) return s;
  return absl::ResourceExhaustedError(
      absl::StrCat("no agent with capacity for ticket ", ticket_id, "; it is queued and goes out as capacity frees"));
}

void TicketService::AssignNew(const std::vector<std::string>& ticket_ids) {
  if (ticket_ids.empty()) return;
  auto agents = store_.Agents();
  if (!agents.ok() || agents->empty()) return;  // no agents configured: tickets wait for manual assignment
  for (const std::string& id : ticket_ids) (void)AutoAssign(id);  // queued when nobody has room
}

absl::StatusOr<int> TicketService::AssignQueued(int max) {
  auto queued = store_.Queued(max);
  if (!queued.ok()) return queued.status();
  int assigned = 0;
  for (const std::string& id : *queued) {
    auto t = AutoAssign(id);
    if (absl::IsResourceExhausted(t.status())) break;  // nobody has room: keep the order
    if (absl::IsNotFound(t.status())) {
      if (absl::Status s = store_.Dequeue(id); !s.ok()) return s;
      continue;
    }
    if (!t.ok()) return t.status();
    assigned += !t->assignee().empty();
  }
  return assigned;
}

absl::StatusOr<pb::Agent> TicketService::UpsertAgent(const pb::Agent& agent) {
  if (agent.agent_id().empty()) return absl::InvalidArgumentError("agent_id is required");
  if (agent.capacity() < 0) return absl::InvalidArgumentError("capacity must be >= 0");
  if (absl::Status s = store_.PutAgent(agent); !s.ok()) return s;
  return agent;
}

absl::StatusOr<std::vector<pb::Agent>> TicketService::ListAgents(const std::string& team) {
  auto agents = store_.Agents();
  if (!agents.ok()) return agents.status();
  if (team.empty()) return agents;
  std::vector<pb::Agent> out;
  for (pb::Agent& a : *agents) {
    if (std::find(a.teams().begin(), a.teams().end(), team) != a.teams().end()) out.push_back(std::move(a));
  }
  return out;
}

absl::StatusOr<int> TicketService::FireDue(absl::Duration lease, int max) {
  const absl::Time now = clock_();
  auto due = store_.ClaimDue(now, lease, max);
  if (!due.ok()) return due.status();
  int fired = 0;
  for (const std::string& member : *due) {
    const std::vector<std::string> parts = absl::StrSplit(member, '|');
    if (parts.size() != 3) continue;
    const bool response = parts[1] == "response", warn = parts[2] == "warn";
    bool did_fire = false;
    auto t = Mutate(parts[0], 0, [&](pb::Ticket& t, Change& change) {
      const bool flag = response ? (warn ? t.response_warned() : t.response_breached())
                                 : (warn ? t.resolution_warned() : t.resolution_breached());
      // A stale timer (answered, closed, paused, already fired) is dropped
      // without touching the ticket.
      const bool applies = IsOpen(t.state()) && !t.has_waiting_since() && !flag &&
                           !(response && t.has_first_response_at());
      if (!applies) return Unchanged();
      {
        if (response) {
          warn ? t.set_response_warned(true) : t.set_response_breached(true);
        } else {
          warn ? t.set_resolution_warned(true) : t.set_resolution_breached(true);
        }
        pb::TicketEvent e = Event(t, warn ? pb::TICKET_EVENT_TYPE_DEADLINE_WARNING : pb::TICKET_EVENT_TYPE_DEADLINE_BREACHED,
                                  "scheduler", parts[1] + "-" + parts[2]);
        e.set_deadline_kind(response ? pb::DEADLINE_KIND_RESPONSE : pb::DEADLINE_KIND_RESOLUTION);
        change.events.push_back(std::move(e));
        change.audit.push_back(Audit(t, "scheduler", warn ? "deadline warning" : "deadline breached", parts[1]));
        did_fire = true;
      }
      return absl::OkStatus();
    });
    if (!t.ok() && !absl::IsNotFound(t.status())) return t.status();
    if (!did_fire) {
      if (absl::Status s = store_.DropClaimed(member, now + lease); !s.ok()) return s;
    }
    fired += did_fire;
  }
  return fired;
}

}  // namespace fbl::workorder
