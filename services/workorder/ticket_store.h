#pragma once
// Tickets in Redis (WO-1, WO-2, SEC-3), every change atomic in one Lua call:
//
//   <p>t:<id>            hash: pb (Ticket), v (version)
//   <p>all               zset: every ticket id by creation time (paging)
//   <p>ix:<field>:<val>  sets: ids by state, department, assignee, priority, customer
//   <p>key:<k>           idempotency: "fb:<feedback id>" / "alert:<alert id>" -> ticket id
//   <p>audit:<id>        list: AuditEntry (who did what, when, at which version);
//                        entries change only when a customer's text is erased
//   <p>due               zset: "<id>|<response|resolution>|<warn|breach>" by due time (ms)
//   <p>load              hash: agent -> open tickets assigned (changed in the same call)
//   <p>agents            hash: agent id -> Agent
//   <p>queue             zset: tickets waiting for an agent with capacity (WO-4)
//   <p>outbox            stream: TicketEvent, appended in the same call as the
//                        change it describes; a relay publishes it to Kafka
//
// Because the ticket, its indexes, its audit entry, its deadline timers and
// its event are written by one script, Redis state and the events can never
// disagree after a crash: an event exists iff its change happened (the relay
// publishes it at least once; event ids are deterministic). Updates carry
// the version read: a stale one is refused (ABORTED) and nothing changes.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/redis/redis_client.h"
#include "workorder/v1/workorder.pb.h"

namespace fbl::workorder {

namespace pb = ::feedbackloop::workorder::v1;

// A deadline timer: fires at `at` unless the ticket changes first.
struct Timer {
  std::string member;  // "<id>|response|warn", ...
  absl::Time at;
};

// A change of an agent's load (open tickets assigned to them).
struct LoadDelta {
  std::string agent;
  int delta = 0;
  int capacity = -1;  // >= 0: refuse the whole change if it would take the load above this
};

// An audit entry rewritten in place (erasure, issue #10): the change is
// refused as a conflict unless the entry at `index` is still `old_entry`.
struct AuditRewrite {
  int64_t index = 0;
  std::string old_entry;  // serialized AuditEntry as read
  std::string new_entry;
};

// Everything one change writes besides the ticket itself.
struct Change {
  std::vector<pb::TicketEvent> events;
  std::vector<pb::AuditEntry> audit;
  std::vector<Timer> timers;              // replace all of the ticket's timers
  std::vector<std::string> idempotency;  // keys that must now map to this ticket
  std::vector<LoadDelta> load;  // filled by TicketService from the assignee before/after
  int new_assignee_capacity = -1;  // >= 0: an automatic assignment that must fit the agent's capacity
  std::vector<AuditRewrite> audit_rewrites;  // erasure only; empty for every other change
};

struct TicketFilter {
  pb::TicketState state = pb::TICKET_STATE_UNSPECIFIED;
  std::string department;
  std::string assignee;
  int priority = 0;  // common.v1.Priority number; 0 = any
  std::string customer_pseudonym;
};

class TicketStore {
 public:
  TicketStore(redis::Client& redis, std::string prefix) : redis_(redis), prefix_(std::move(prefix)) {}

  // Creates `ticket` (version 1) unless one of `change.idempotency` already
  // names a ticket: then nothing is written and that ticket is returned with
  // created = false.
  struct Created {
    pb::Ticket ticket;
    bool created = false;
  };
  [[nodiscard]] absl::StatusOr<Created> Create(pb::Ticket ticket, const Change& change);
  // Many creates in one Redis round trip (each atomic on its own), one
  // result per item in order; any failure fails them all (each is idempotent
  // by its keys, so the caller retries the lot).
  struct NewTicket {
    pb::Ticket ticket;
    Change change;
  };
  [[nodiscard]] absl::StatusOr<std::vector<Created>> CreateMany(std::vector<NewTicket> items);

  // NOT_FOUND if there is no such ticket.
  [[nodiscard]] absl::StatusOr<pb::Ticket> Get(const std::string& ticket_id);
  // The ticket an idempotency key names, if any.
  [[nodiscard]] absl::StatusOr<std::optional<std::string>> Lookup(const std::string& key);

  // Replaces `before` (as read) by `after`: ABORTED if the stored version is
  // no longer before.version(); RESOURCE_EXHAUSTED if a load delta with a
  // capacity would exceed it (nothing written); after.version() becomes
  // before.version() + 1.
  [[nodiscard]] absl::StatusOr<pb::Ticket> Update(const pb::Ticket& before, pb::Ticket after, const Change& change);

  // Newest first; `page_token` is opaque (empty = first page).
  struct Page {
    std::vector<pb::Ticket> tickets;
    std::string next_page_token;
  };
  [[nodiscard]] absl::StatusOr<Page> List(const TicketFilter& filter, const std::string& page_token, int page_size);
  [[nodiscard]] absl::StatusOr<std::vector<pb::AuditEntry>> Audit(const std::string& ticket_id);
  // The audit list as stored (serialized entries, oldest first).
  [[nodiscard]] absl::StatusOr<std::vector<std::string>> AuditRaw(const std::string& ticket_id);

  // Erasure (issue #10). Ids in the customer index (<p>ix:customer:<pseudonym>,
  // kept by every change, no expiry like the tickets).
  [[nodiscard]] absl::StatusOr<std::vector<std::string>> CustomerTicketIds(const std::string& pseudonym);
  // One SCAN step over all tickets: next cursor ("0" at the end) and the
  // readable tickets seen (for tickets missing from the index).
  [[nodiscard]] absl::StatusOr<std::pair<std::string, std::vector<pb::Ticket>>> ScanTickets(const std::string& cursor,
                                                                                          int count);
  // XADD stream MAXLEN ~ max_len * field value…; returns the entry id.
  [[nodiscard]] absl::StatusOr<std::string> AppendToStream(const std::string& stream, int64_t max_len,
                                                           const std::vector<std::pair<std::string, std::string>>& fields);

  // Agents (WO-4).
  [[nodiscard]] absl::Status PutAgent(const pb::Agent& agent);
  [[nodiscard]] absl::StatusOr<std::vector<pb::Agent>> Agents();
  // Open tickets assigned per agent.
  [[nodiscard]] absl::StatusOr<std::map<std::string, int64_t>> Loads();
  // Tickets waiting for capacity, first come (by priority, then age) first.
  [[nodiscard]] absl::Status Enqueue(const pb::Ticket& t);
  [[nodiscard]] absl::Status Dequeue(const std::string& ticket_id);
  [[nodiscard]] absl::StatusOr<std::vector<std::string>> Queued(int max);

  // Deadline timers due at `now`, each claimed for `lease` (a claimed timer
  // returns after the lease if its replica dies before firing it).
  [[nodiscard]] absl::StatusOr<std::vector<std::string>> ClaimDue(absl::Time now, absl::Duration lease, int max);
  // Removes a claimed timer that no longer applies (only if still claimed
  // until `lease_until`, i.e. no change re-armed it meanwhile).
  [[nodiscard]] absl::Status DropClaimed(const std::string& member, absl::Time lease_until);

  // The outbox, read by a consumer group (the relay). Entries not acked
  // within `idle` are handed to another relay.
  struct OutboxEntry {
    std::string id;
    pb::TicketEvent event;
  };
  [[nodiscard]] absl::StatusOr<std::vector<OutboxEntry>> ReadOutbox(const std::string& consumer, int max,
                                                                     absl::Duration idle);
  [[nodiscard]] absl::Status AckOutbox(const std::vector<std::string>& ids);

  // The Lua step every change runs (benchmarks compare against it).
  static const redis::LuaScript& ApplyScript();

  std::string TicketKey(const std::string& id) const { return prefix_ + "t:" + id; }
  std::string OutboxKey() const { return prefix_ + "outbox"; }
  std::string DueKey() const { return prefix_ + "due"; }

 private:
  std::vector<std::string> IndexKeys(const pb::Ticket& t) const;
  redis::Client::ScriptCall ApplyCall(const pb::Ticket* before, const pb::Ticket& after, const Change& change) const;
  // A create's reply: the new ticket, or the one its keys already name.
  [[nodiscard]] absl::StatusOr<Created> CreatedFrom(const redis::Reply& reply, pb::Ticket ticket);
  [[nodiscard]] absl::StatusOr<redis::Reply> Apply(const pb::Ticket* before, const pb::Ticket& after,
                                                    const Change& change);

  redis::Client& redis_;
  std::string prefix_;
  bool group_ready_ = false;
};

}  // namespace fbl::workorder
