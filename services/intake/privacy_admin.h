#pragma once
// Data-protection operations on intake's stored records (issue #10):
// re-sealing contact details after a key rotation, and erasing one
// customer's personal data on request. See docs/security.md.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/redis/redis_client.h"
#include "services/intake/intake_keys.h"
#include "services/intake/intake_metrics.h"

namespace fbl::intake {

struct RotateOptions {
  std::string cursor = "0";  // SCAN cursor to resume from
  int page_size = 500;       // SCAN COUNT
  int max_pages = 0;         // 0: to the end
};

struct RotateReport {
  std::string active_key_id;
  int64_t scanned = 0;
  int64_t resealed = 0;
  int64_t unchanged = 0;
  int64_t failed = 0;
  std::vector<std::string> failures;  // "<feedback id>: <reason>", at most kMaxFailuresListed
  std::string next_cursor = "0";      // "0": complete
};

struct EraseRequest {
  std::string pseudonym;
  std::string reason;
  std::string actor;  // authenticated caller, "anonymous" when auth is off
  bool erase_text = false;
  bool scan_all = false;
};

struct EraseReport {
  int64_t records_found = 0;
  int64_t records_erased = 0;
  absl::Time erased_at;  // first erasure of this customer
  bool first_request = false;
  std::string audit_entry_id;
};

inline constexpr size_t kMaxFailuresListed = 20;
inline constexpr size_t kMaxReasonBytes = 500;

// "c_" followed by 32 lower-case hex digits.
bool IsPseudonym(std::string_view s);

class PrivacyAdmin {
 public:
  // `metrics` may be null.
  PrivacyAdmin(redis::Client& redis, const LiveKeys& keys, std::string erasure_stream, int64_t erasure_max_len,
               IntakeMetrics* metrics = nullptr)
      : redis_(redis), keys_(keys), erasure_stream_(std::move(erasure_stream)), erasure_max_len_(erasure_max_len),
        metrics_(metrics) {}

  // Re-seals every stored contact blob that is not under the active contact
  // key. Per record: read, re-seal, write back only if unchanged (Lua
  // compare-and-set; retried a few times if it keeps changing). UNAVAILABLE
  // only when Redis fails; per-record problems are counted in `failed`.
  [[nodiscard]] absl::StatusOr<RotateReport> RotateContactKeys(const RotateOptions& options);

  // Marks the customer erased, removes their personal data from every stored
  // record (ErasePersonalData; a record of theirs that no longer parses is
  // deleted whole), deletes their near-duplicate history and
  // appends the erasure record to the audit stream. INVALID_ARGUMENT for a
  // malformed pseudonym or a missing/too long reason; UNAVAILABLE when Redis
  // fails (retry: idempotent).
  [[nodiscard]] absl::StatusOr<EraseReport> EraseCustomer(const EraseRequest& request);

 private:
  enum class Write { kWritten, kChanged, kGone };
  // SET key new KEEPTTL if its value is still `old`.
  [[nodiscard]] absl::StatusOr<Write> CompareAndSet(const std::string& key, const std::string& old,
                                                    const std::string& updated);
  // One SCAN step over the stored records: next cursor, keys.
  [[nodiscard]] absl::StatusOr<std::pair<std::string, std::vector<std::string>>> ScanRecords(
      const std::string& cursor, int count);

  redis::Client& redis_;
  const LiveKeys& keys_;
  const std::string erasure_stream_;
  const int64_t erasure_max_len_;
  IntakeMetrics* const metrics_;
};

}  // namespace fbl::intake
