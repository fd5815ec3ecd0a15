#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace fbl::dataset {

// A CSV row: fields in column order, with its 1-based record number (not
// line number: quoted fields may span lines; the header is record 1).
struct CsvRow {
  std::vector<std::string> fields;
  int64_t record = 0;
};

// Streams RFC 4180 CSV (quoted fields, embedded newlines and quotes) from
// `in`, calling `on_row` for every record including the header. `on_row`
// returns false to stop early. A leading UTF-8 BOM is skipped. Parse errors
// (e.g. a quote in an unquoted field) are INVALID_ARGUMENT with the record
// number.
[[nodiscard]] absl::Status ReadCsv(std::istream& in, const std::function<bool(CsvRow&)>& on_row);

// Reads a whole CSV file: the header and the data rows.
struct CsvTable {
  std::vector<std::string> header;
  std::vector<CsvRow> rows;
  // Index of `column` in the header, or -1.
  int Column(const std::string& column) const;
};
[[nodiscard]] absl::StatusOr<CsvTable> ReadCsvFile(const std::string& path, int64_t max_rows = -1);

}  // namespace fbl::dataset
