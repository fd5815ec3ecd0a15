#pragma once
// What happens to tickets (WO-1…WO-3, WO-5, WO-6, SEC-3): creation from
// classified feedback, red alerts and the API; transitions; comments;
// surveys; deadline timers. Every change goes through TicketStore in one
// atomic step with its events (outbox) and audit entry. No Kafka or gRPC here.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "alerting/v1/alerting.pb.h"
#include "classification/v1/classification.pb.h"
#include "libs/calendar/business_calendar.h"
#include "libs/runtime/config.h"
#include "services/workorder/ticket_store.h"

namespace fbl::workorder {

using calendar::BusinessCalendar;
using calendar::CalendarSpec;
using calendar::DeadlineClock;

using Clock = std::function<absl::Time()>;

struct DeadlineTarget {
  absl::Duration response;
  absl::Duration resolution;
};

struct TicketPolicy {
  // P0 (red alerts) runs on the wall clock; P1–P4 on the business calendar.
  DeadlineTarget p0{absl::Hours(1), absl::Hours(24)};
  DeadlineTarget p1{absl::Hours(24), absl::Hours(72)};
  DeadlineTarget p2{absl::Hours(72), absl::Hours(7 * 24)};
  DeadlineTarget p3{absl::Hours(48), absl::Hours(7 * 24)};
  DeadlineTarget p4{absl::Hours(30 * 24), absl::Hours(30 * 24)};
  double warn_fraction = 0.8;  // warn when this share of the target is used
  int unhappy_csat_max = 2;    // CSAT at or below reopens the ticket and tells the supervisor
  bool use_classified_targets = true;  // take targets from the classification when it gives them
  // WO-1: which classified feedback opens a ticket — L1 intents (praise does
  // not by default) and only what the classification marks needs_action.
  std::vector<std::string> open_for_intents = {"complaint", "suggestion", "inquiry"};

  const DeadlineTarget& For(int priority) const;
};
void BindConfig(config::Binder& b, DeadlineTarget& c);
void BindConfig(config::Binder& b, TicketPolicy& c);

// Erasure of one customer's text (issue #10).
struct EraseTicketsRequest {
  std::string pseudonym;
  std::string reason;
  std::string actor;  // the authenticated caller, "anonymous" when auth is off
  bool erase_text = false;
  bool scan_all = false;
};
struct EraseTicketsReport {
  int64_t tickets_found = 0;
  int64_t tickets_changed = 0;
  std::string audit_entry_id;
};
// Where erasures are recorded: the stream intake also writes (same fields).
struct ErasureAudit {
  std::string stream = "fbl:audit:erasure";
  int64_t max_len = 1000000;
};

class TicketService {
 public:
  TicketService(TicketStore& store, const BusinessCalendar& calendar, TicketPolicy policy, Clock clock)
      : store_(store), calendar_(calendar), policy_(std::move(policy)), clock_(std::move(clock)) {}

  // WO-1. A classified feedback that needs action opens a ticket (once per
  // feedback); a near-duplicate attaches to its original's ticket; praise
  // opens nothing (nullopt).
  [[nodiscard]] absl::StatusOr<std::optional<TicketStore::Created>> FromClassified(
      const ::feedbackloop::classification::v1::ClassifiedFeedback& c);
  // The same for a consumed batch, one result per item: the new tickets are
  // written in one Redis round trip, then the near-duplicates attach (their
  // originals may be in the batch). Any error fails the batch (idempotent).
  [[nodiscard]] absl::StatusOr<std::vector<std::optional<TicketStore::Created>>> FromClassifiedBatch(
      const std::vector<const ::feedbackloop::classification::v1::ClassifiedFeedback*>& batch);
  // A raised red alert opens a P0 ticket (once per alert); if its feedback
  // already has an open ticket, that one is raised to P0 instead.
  [[nodiscard]] absl::StatusOr<std::optional<TicketStore::Created>> FromAlert(
      const ::feedbackloop::alerting::v1::AlertEvent& e);
  // Over the API; idempotent per feedback_id / alert_id when given.
  [[nodiscard]] absl::StatusOr<TicketStore::Created> Create(const pb::CreateTicketRequest& r);

  // WO-2: FAILED_PRECONDITION with the allowed next states, ABORTED on a
  // stale expected_version (0 = whatever is current).
  [[nodiscard]] absl::StatusOr<pb::Ticket> Transition(const pb::TransitionTicketRequest& r);
  // WO-4: to the named agent (manual, may exceed capacity), or with an
  // empty assignee automatically: skill match first, then least load, only
  // within capacity; RESOURCE_EXHAUSTED (and queued) when nobody has room.
  [[nodiscard]] absl::StatusOr<pb::Ticket> Assign(const pb::AssignTicketRequest& r);
  [[nodiscard]] absl::StatusOr<pb::Ticket> AutoAssign(const std::string& ticket_id);
  // Hands queued tickets to agents whose capacity freed up, in queue order;
  // returns how many were assigned.
  [[nodiscard]] absl::StatusOr<int> AssignQueued(int max);
  [[nodiscard]] absl::StatusOr<pb::Agent> UpsertAgent(const pb::Agent& agent);
  [[nodiscard]] absl::StatusOr<std::vector<pb::Agent>> ListAgents(const std::string& team);
  [[nodiscard]] absl::StatusOr<pb::Ticket> Comment(const pb::AddCommentRequest& r);
  // WO-3: pauses the deadline clocks while waiting on the customer; resuming
  // moves every due time by the working time that was left at the pause.
  [[nodiscard]] absl::StatusOr<pb::Ticket> SetWaiting(const pb::SetWaitingOnCustomerRequest& r);
  // WO-6: the answer is attached (once per response_id); an unhappy one
  // reopens a done/closed ticket.
  [[nodiscard]] absl::StatusOr<pb::Ticket> RecordSurvey(const pb::RecordSurveyRequest& r);

  // Issue #10: finds the customer's tickets (index, and with scan_all every
  // ticket) and, with erase_text, erases their text (EraseTicketText,
  // EraseAuditText) in one versioned change per ticket with an "erase" audit
  // entry and an ERASED event; then appends the erasure record to
  // `audit.stream`. INVALID_ARGUMENT for a bad pseudonym or reason;
  // UNAVAILABLE when Redis fails (retry: idempotent).
  [[nodiscard]] absl::StatusOr<EraseTicketsReport> EraseCustomer(const EraseTicketsRequest& r,
                                                                 const ErasureAudit& audit);

  // WO-3: fires the deadline timers that are due (warnings and breaches, each
  // once across replicas); returns how many fired.
  [[nodiscard]] absl::StatusOr<int> FireDue(absl::Duration lease, int max);

  // The timers a ticket should have now (exposed for tests).
  std::vector<Timer> TimersFor(const pb::Ticket& t) const;

 private:
  using Mutation = std::function<absl::Status(pb::Ticket& t, Change& change)>;
  // Reads, mutates and writes back, retrying (up to 20 times) after a
  // concurrent change unless `expected_version` pins the version the caller saw.
  [[nodiscard]] absl::StatusOr<pb::Ticket> Mutate(const std::string& ticket_id, int64_t expected_version,
                                                  const Mutation& mutate);
  [[nodiscard]] absl::StatusOr<TicketStore::Created> Open(pb::Ticket t, const std::string& actor,
                                                          std::optional<DeadlineTarget> target,
                                                          std::vector<std::string> idempotency);
  // A new ticket with its CREATED event, audit entry and timers, not yet written.
  TicketStore::NewTicket PrepareOpen(pb::Ticket t, const std::string& actor, std::optional<DeadlineTarget> target,
                                     std::vector<std::string> idempotency) const;
  // The ticket a classified feedback (not a near-duplicate) opens, if any.
  std::optional<TicketStore::NewTicket> PlanFromClassified(
      const ::feedbackloop::classification::v1::ClassifiedFeedback& c) const;
  [[nodiscard]] absl::StatusOr<std::optional<TicketStore::Created>> AttachDuplicate(
      const ::feedbackloop::classification::v1::ClassifiedFeedback& c);
  // Just-created tickets go to agents at once when agents are configured.
  void AssignNew(const std::vector<std::string>& ticket_ids);
  absl::Time Due(const pb::Ticket& t, absl::Time start, absl::Duration target) const;
  // A done/closed ticket works again: the resolution clock restarts now.
  void Reopen(pb::Ticket& t, absl::Time now) const;
  pb::TicketEvent Event(const pb::Ticket& t, pb::TicketEventType type, const std::string& actor,
                        const std::string& suffix) const;
  pb::AuditEntry Audit(const pb::Ticket& t, const std::string& actor, const std::string& action,
                       const std::string& detail) const;
  pb::CustomerNotice Notice(const pb::Ticket& t, const std::string& what) const;

  TicketStore& store_;
  const BusinessCalendar& calendar_;
  TicketPolicy policy_;
  Clock clock_;
};

}  // namespace fbl::workorder
