#pragma once
// Ticket states and their legal transitions (WO-2), pure domain logic.
//
//   pending ──► in_progress ──► awaiting_verification ──► done ──► closed
//      │            ▲  │                  │                 │        │
//      │            │  └──► pending        └──► in_progress  └────────┴──► in_progress (reopen)
//      ├──► cancelled (from any open state)
//      └──► merged    (from any open state; merged_into names the ticket)
//
// done → in_progress and closed → in_progress are reopens (reopen_count + 1);
// cancelled and merged are final. An illegal transition is answered with the
// allowed next states, so a caller can tell a user what is possible.

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "workorder/v1/workorder.pb.h"

namespace fbl::workorder {

namespace pb = ::feedbackloop::workorder::v1;

// The states reachable from `from` in one step.
const std::vector<pb::TicketState>& AllowedNext(pb::TicketState from);
// OK, or FAILED_PRECONDITION "cannot go from PENDING to DONE; allowed: IN_PROGRESS, CANCELLED, MERGED".
absl::Status CheckTransition(pb::TicketState from, pb::TicketState to);
// A transition that reopens a finished ticket.
bool IsReopen(pb::TicketState from, pb::TicketState to);
// Open = work may still happen (not done, closed, cancelled or merged).
bool IsOpen(pb::TicketState s);
// Final = nothing follows (cancelled, merged).
bool IsFinal(pb::TicketState s);
// "pending", "in_progress", … (the enum name without its prefix, lower case).
std::string StateName(pb::TicketState s);

}  // namespace fbl::workorder
