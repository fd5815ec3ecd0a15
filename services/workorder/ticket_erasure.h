#pragma once
// What erasing a customer (issue #10) does to one ticket and its audit trail:
// pure functions, unit-tested; TicketService applies them in one versioned
// change. See docs/security.md, "Erasure".

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "workorder/v1/workorder.pb.h"

namespace fbl::workorder {

inline constexpr std::string_view kErased = "[ERASED]";
inline constexpr size_t kMaxEraseReasonBytes = 500;

// "c_" followed by 32 lower-case hex digits (as intake makes them).
bool IsCustomerPseudonym(std::string_view s);

// Replaces the customer's text on the ticket with "[ERASED]": the summary
// (the feedback text or the alert summary), the title of feedback and API
// tickets (the customer's title or text, or typed by a person), and the
// survey comment. Alert titles ("红色警报 …") hold no customer text and stay.
// The ticket holds no contact details (they stay sealed in intake), and the
// pseudonym stays so that a later erasure still finds the ticket. Returns
// whether anything changed (false when already erased).
bool EraseTicketText(::feedbackloop::workorder::v1::Ticket& t);

// The audit entry with free text erased, or nullopt when it has none left:
// comments lose their text, survey entries their comment ("CSAT 2: …" →
// "CSAT 2: [ERASED]"), transitions and waits their note ("A -> B: …" →
// "A -> B: [ERASED]"). Fixed-form entries (create, assign, deadline, erase)
// are left alone.
std::optional<::feedbackloop::workorder::v1::AuditEntry> EraseAuditText(
    const ::feedbackloop::workorder::v1::AuditEntry& a);

// The reason as recorded: PII masked, cut to 120 bytes on a code point.
std::string ShortReason(std::string_view reason);

}  // namespace fbl::workorder
