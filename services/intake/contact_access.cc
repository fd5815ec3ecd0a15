#include "services/intake/contact_access.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace fbl::intake {
namespace {

namespace pb = ::feedbackloop::feedback::v1;

// The first `n` UTF-8 characters of `s`.
std::string Prefix(const std::string& s, size_t n) {
  size_t i = 0;
  for (size_t seen = 0; i < s.size() && seen < n; ++seen) {
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
  }
  return s.substr(0, i);
}

std::string MaskPhone(const std::string& phone) {
  std::string digits;
  for (char ch : phone) {
    if (ch >= '0' && ch <= '9') digits.push_back(ch);
  }
  if (digits.size() == 13 && digits.starts_with("86")) digits.erase(0, 2);
  if (digits.size() < 7) return "****";
  return absl::StrCat(digits.substr(0, 3), "****", digits.substr(digits.size() - 4));
}

std::string MaskEmail(const std::string& email) {
  const size_t at = email.rfind('@');
  if (at == std::string::npos || at == 0) return "***";
  return absl::StrCat(Prefix(email, 1), "***", email.substr(at));
}

std::string MaskWord(const std::string& s, size_t keep) {
  return s.empty() ? "" : absl::StrCat(Prefix(s, keep), "***");
}

}  // namespace

pb::Contact MaskContact(const pb::Contact& c) {
  pb::Contact m;
  if (!c.phone().empty()) m.set_phone(MaskPhone(c.phone()));
  if (!c.email().empty()) m.set_email(MaskEmail(c.email()));
  m.set_wechat_id(MaskWord(c.wechat_id(), 2));
  m.set_name(MaskWord(c.name(), 1));
  m.set_address(MaskWord(c.address(), 3));
  return m;
}

absl::Status PiiAuditLog::Append(const PiiRead& r) {
  auto reply = redis_.Command({"XADD", stream_, "MAXLEN", "~", absl::StrCat(max_len_), "*",
                               "actor", r.actor, "roles", r.roles, "feedback_id", r.feedback_id,
                               "view", r.decrypted ? "decrypted" : "masked",
                               "at", absl::FormatTime(absl::RFC3339_full, r.at, absl::UTCTimeZone())});
  if (!reply.ok()) return reply.status();
  if (reply->is_error()) return absl::UnavailableError(absl::StrCat("pii audit: ", reply->str()));
  return absl::OkStatus();
}

absl::StatusOr<ContactResult> ContactReader::Read(const pb::FeedbackRecord& record,
                                                  const std::optional<runtime::Caller>& caller) const {
  if (!record.has_contact() || record.contact().ciphertext().empty()) {
    return absl::NotFoundError("record has no contact details");
  }
  const auto& blob = record.contact();
  auto plain = sealer_().Open({blob.key_id(), blob.algorithm(), blob.nonce(), blob.ciphertext()}, record.feedback_id());
  if (!plain.ok()) return plain.status();
  pb::Contact contact;
  if (!contact.ParseFromString(*plain)) return absl::DataLossError("contact details do not parse");
  ContactResult out;
  out.decrypted = caller.has_value() && caller->Has(runtime::kPermPiiRead);
  PiiRead read{caller ? caller->name : "anonymous", caller ? absl::StrJoin(caller->roles, ",") : "",
               record.feedback_id(), out.decrypted, absl::Now()};
  if (absl::Status s = audit_.Append(read); !s.ok()) {
    return absl::UnavailableError(absl::StrCat("contact not shown: audit trail unavailable: ", s.message()));
  }
  out.contact = out.decrypted ? std::move(contact) : MaskContact(contact);
  return out;
}

}  // namespace fbl::intake
