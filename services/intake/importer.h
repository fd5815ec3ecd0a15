#pragma once
// Bulk import of offline feedback (INT-1): store records, paper forms, call
// transcripts, meeting minutes. Rows become FeedbackSubmissions on
// feedback.raw.v1 — the same path as any connector — marked offline. The
// external id is the mapped id column or a hash of the row's content, so
// importing the same file again creates nothing new (intake sees replays).

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "feedback/v1/feedback.pb.h"
#include "libs/runtime/config.h"
#include "services/intake/intake_config.h"
#include "services/intake/json_line.h"

namespace fbl::intake {

struct ImportMapping {
  std::string source = "bulk-import";
  std::string channel = "CHANNEL_STORE_RECORD";  // a feedbackloop.common.v1.Channel name
  bool offline = true;
  // Submission field → column (CSV header name or JSON key). Fields: text
  // (required), title, external_id, customer_id, customer_type, submitted_at
  // (RFC 3339 or "YYYY-MM-DD[ HH:MM[:SS]]", Asia/Shanghai when no zone),
  // product.model, product.batch, product.purchase_channel, place.store_id,
  // place.store_name, place.city, handler_judgement, and labels.<name>.
  std::map<std::string, std::string> columns;
};
void BindConfig(config::Binder& b, ImportMapping& m);

struct ImportOptions {
  std::string file;
  std::string mapping_file;
  std::string format;       // csv | jsonl; empty: by extension
  std::string report_file;  // rejected rows; empty: <file>.rejects.csv
  int64_t limit = -1;
  bool quiet = false;
};

// Maps a row to a submission; INVALID_ARGUMENT names the problem.
[[nodiscard]] absl::StatusOr<::feedbackloop::feedback::v1::FeedbackSubmission> MapRow(
    const ImportMapping& mapping, const Row& row);

// Runs the import; returns the process exit code (0: every row sent or reported).
int RunImport(const IntakeConfig& config, const ImportOptions& options);

}  // namespace fbl::intake
