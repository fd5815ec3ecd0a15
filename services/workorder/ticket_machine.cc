#include "services/workorder/ticket_machine.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace fbl::workorder {

const std::vector<pb::TicketState>& AllowedNext(pb::TicketState from) {
  static const std::vector<pb::TicketState> kPending = {pb::TICKET_STATE_IN_PROGRESS, pb::TICKET_STATE_CANCELLED,
                                                        pb::TICKET_STATE_MERGED};
  static const std::vector<pb::TicketState> kInProgress = {
      pb::TICKET_STATE_AWAITING_VERIFICATION, pb::TICKET_STATE_PENDING, pb::TICKET_STATE_CANCELLED,
      pb::TICKET_STATE_MERGED};
  static const std::vector<pb::TicketState> kAwaiting = {pb::TICKET_STATE_DONE, pb::TICKET_STATE_IN_PROGRESS,
                                                         pb::TICKET_STATE_CANCELLED, pb::TICKET_STATE_MERGED};
  static const std::vector<pb::TicketState> kDone = {pb::TICKET_STATE_CLOSED, pb::TICKET_STATE_IN_PROGRESS};
  static const std::vector<pb::TicketState> kClosed = {pb::TICKET_STATE_IN_PROGRESS};
  static const std::vector<pb::TicketState> kNone = {};
  switch (from) {
    case pb::TICKET_STATE_PENDING:
      return kPending;
    case pb::TICKET_STATE_IN_PROGRESS:
      return kInProgress;
    case pb::TICKET_STATE_AWAITING_VERIFICATION:
      return kAwaiting;
    case pb::TICKET_STATE_DONE:
      return kDone;
    case pb::TICKET_STATE_CLOSED:
      return kClosed;
    default:
      return kNone;
  }
}

std::string StateName(pb::TicketState s) {
  std::string name = pb::TicketState_Name(s);
  constexpr std::string_view kPrefix = "TICKET_STATE_";
  if (name.rfind(kPrefix, 0) == 0) name = name.substr(kPrefix.size());
  return absl::AsciiStrToLower(name);
}

absl::Status CheckTransition(pb::TicketState from, pb::TicketState to) {
  const auto& allowed = AllowedNext(from);
  if (std::find(allowed.begin(), allowed.end(), to) != allowed.end()) return absl::OkStatus();
  std::vector<std::string> names;
  for (pb::TicketState s : allowed) names.push_back(StateName(s));
  return absl::FailedPreconditionError(absl::StrCat("cannot go from ", StateName(from), " to ", StateName(to),
                                                    "; allowed: ", names.empty() ? "none (final)" : absl::StrJoin(names, ", ")));
}

bool IsReopen(pb::TicketState from, pb::TicketState to) {
  return (from == pb::TICKET_STATE_DONE || from == pb::TICKET_STATE_CLOSED) && to == pb::TICKET_STATE_IN_PROGRESS;
}

bool IsOpen(pb::TicketState s) {
  return s == pb::TICKET_STATE_PENDING || s == pb::TICKET_STATE_IN_PROGRESS ||
         s == pb::TICKET_STATE_AWAITING_VERIFICATION;
}

bool IsFinal(pb::TicketState s) { return s == pb::TICKET_STATE_CANCELLED || s == pb::TICKET_STATE_MERGED; }

}  // namespace fbl::workorder
