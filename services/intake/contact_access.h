#pragma once
// Reading a record's contact details through the API (SEC-1, issue #10):
// decrypted only for callers with "pii.read", masked for everyone else, and
// every read — masked or not — appended to the PII audit trail.

#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "feedback/v1/feedback.pb.h"
#include "libs/privacy/aead.h"
#include "libs/redis/redis_client.h"
#include "libs/runtime/auth.h"

namespace fbl::intake {

// "138****8000", "a***@example.com", "张**": enough to recognise, not to contact.
::feedbackloop::feedback::v1::Contact MaskContact(const ::feedbackloop::feedback::v1::Contact& contact);

// One PII read, as written to the audit stream.
struct PiiRead {
  std::string actor;   // caller name; "anonymous" when auth is off
  std::string roles;   // comma-separated
  std::string feedback_id;
  bool decrypted = false;
  absl::Time at;
};

// Appends reads to a Redis stream (XADD, capped at about `max_len` entries).
class PiiAuditLog {
 public:
  PiiAuditLog(redis::Client& redis, std::string stream, int64_t max_len = 1000000)
      : redis_(redis), stream_(std::move(stream)), max_len_(max_len) {}
  // UNAVAILABLE when Redis is down: the read must then be refused.
  [[nodiscard]] absl::Status Append(const PiiRead& read);

 private:
  redis::Client& redis_;
  std::string stream_;
  int64_t max_len_;
};

struct ContactResult {
  ::feedbackloop::feedback::v1::Contact contact;
  bool decrypted = false;
};

class ContactReader {
 public:
  // The sealer to open with (its keyring may be reloaded at any time).
  using SealerSource = std::function<privacy::Sealer()>;

  ContactReader(SealerSource sealer, PiiAuditLog& audit) : sealer_(std::move(sealer)), audit_(audit) {}
  ContactReader(privacy::Sealer sealer, PiiAuditLog& audit)
      : ContactReader([sealer] { return sealer; }, audit) {}

  // Opens the record's contact blob; audits, then returns it decrypted when
  // `caller` has pii.read, else masked. NOT_FOUND when the record has no
  // contact; UNAVAILABLE when the audit cannot be written (nothing shown).
  [[nodiscard]] absl::StatusOr<ContactResult> Read(const ::feedbackloop::feedback::v1::FeedbackRecord& record,
                                                   const std::optional<runtime::Caller>& caller) const;

 private:
  SealerSource sealer_;
  PiiAuditLog& audit_;
};

}  // namespace fbl::intake
