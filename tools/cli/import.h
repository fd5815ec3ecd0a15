#pragma once
// Rows of a bulk-import file for `fbl feedback import`, as FeedbackSubmission
// messages: JSONL (one FeedbackSubmission in proto3 JSON per line) or CSV
// (RFC 4180 with a header; columns named by the options). Pure: reads a
// stream, sends nothing.

#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "feedback/v1/feedback.pb.h"

namespace fbl::cli {

enum class ImportFormat { kJsonl, kCsv };

// "jsonl"/"json"/"ndjson" or "csv" when given; otherwise from the file name
// extension (.jsonl, .ndjson, .json, .csv).
absl::StatusOr<ImportFormat> ImportFormatFor(std::string_view path, std::string_view format);

struct ImportOptions {
  ImportFormat format = ImportFormat::kJsonl;
  // Filled in where a row has none.
  std::string source = "fbl-import";
  int channel = 17;  // common.v1.CHANNEL_API
  // Sets FeedbackSubmission.offline on every row (offline sources: store
  // records, paper forms ...).
  bool offline = false;
  // CSV: the header names of the columns. text is required, the others
  // optional ("" = not mapped).
  std::string text_column = "text";
  std::string title_column;
  std::string id_column;
  std::string customer_column;
  std::string language_column;
  // CSV: label key -> column, copied into FeedbackSubmission.labels.
  std::vector<std::pair<std::string, std::string>> label_columns;
};

// One data row: where it is in the file and what it became.
struct ImportRow {
  // JSONL: the line number (from 1); CSV: the record number (the header is
  // record 1, so the first data row is 2).
  int64_t line = 0;
  // The submission, or why the row could not be read (bad JSON, unknown
  // field). Rows are not validated further here: intake checks them (and
  // keeps the rejects on feedback.rejected.v1).
  absl::StatusOr<::feedbackloop::feedback::v1::FeedbackSubmission> submission;
};

// Reads `in` and calls `on_row` for every data row in order (blank JSONL
// lines are skipped); `on_row` returns false to stop. Rows get `source`,
// `channel` from the options when they have none, `offline` when the option
// is set, and an external id derived from their content when they have none
// (DerivedExternalId), so importing a file twice creates nothing new.
// Whole-file problems are errors: a CSV syntax error, a CSV header without
// the mapped columns.
[[nodiscard]] absl::Status ReadImport(std::istream& in, const ImportOptions& options,
                                      const std::function<bool(ImportRow&)>& on_row);

// "row:" + 16 hex digits of a stable 64-bit hash (FNV-1a) of source, customer
// id, title and text: the same row always gets the same id.
std::string DerivedExternalId(const ::feedbackloop::feedback::v1::FeedbackSubmission& s);

}  // namespace fbl::cli
