#include "services/workorder/ticket_erasure.h"

#include "absl/strings/ascii.h"
#include "libs/text/pii.h"
#include "libs/text/utf8.h"

namespace fbl::workorder {
namespace {

namespace pb = ::feedbackloop::workorder::v1;

// Sets `field` to "[ERASED]" unless it is empty or already erased.
bool Erase(std::string* field) {
  if (field->empty() || *field == kErased) return false;
  *field = std::string(kErased);
  return true;
}

// "<head>: <free text>" → "<head>: [ERASED]"; entries without ": " have no
// free text.
bool EraseAfterColon(std::string* detail) {
  const size_t colon = detail->find(": ");
  if (colon == std::string::npos) return false;
  std::string erased = detail->substr(0, colon) + ": " + std::string(kErased);
  if (erased == *detail) return false;
  *detail = std::move(erased);
  return true;
}

}  // namespace

bool IsCustomerPseudonym(std::string_view s) {
  if (s.size() != 34 || !s.starts_with("c_")) return false;
  for (char c : s.substr(2)) {
    if (!absl::ascii_isdigit(c) && !(c >= 'a' && c <= 'f')) return false;
  }
  return true;
}

bool EraseTicketText(pb::Ticket& t) {
  bool changed = Erase(t.mutable_summary());
  if (t.origin() == pb::TICKET_ORIGIN_FEEDBACK || t.origin() == pb::TICKET_ORIGIN_API ||
      t.origin() == pb::TICKET_ORIGIN_UNSPECIFIED) {
    changed |= Erase(t.mutable_title());
  }
  if (t.has_survey()) changed |= Erase(t.mutable_survey()->mutable_comment());
  return changed;
}

std::optional<pb::AuditEntry> EraseAuditText(const pb::AuditEntry& a) {
  pb::AuditEntry out = a;
  bool changed = false;
  const std::string& action = a.action();
  if (action == "comment" || action.starts_with("comment ")) {
    changed = Erase(out.mutable_detail());
  } else if (action == "survey" || action == "transition") {
    changed = EraseAfterColon(out.mutable_detail());
  } else if (action == "wait on customer" || action == "resume") {
    changed = Erase(out.mutable_detail());  // the whole detail is the note
  }
  if (!changed) return std::nullopt;
  return out;
}

std::string ShortReason(std::string_view reason) {
  const std::string masked = text::MaskPii(reason).text;
  if (masked.size() <= 120) return masked;
  return std::string(text::Utf8Prefix(masked, 117)) + "…";  // "…" is 3 bytes
}

}  // namespace fbl::workorder
