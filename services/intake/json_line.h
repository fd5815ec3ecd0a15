#pragma once
// One line of a JSONL import file as a row (services/intake/importer.h).
// Pure: no I/O, fuzzed by tests/fuzz/import_line_fuzz.cc.

#include <map>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace fbl::intake {

// One row's values by column name.
using Row = std::map<std::string, std::string>;

// JSON lines nest at most this deep (objects and arrays); deeper lines are
// refused before parsing (issue #10: 100 000 levels crashed the importer).
inline constexpr int kMaxJsonDepth = 64;

// One JSONL line as a row: string values as they are, other values as JSON
// text. INVALID_ARGUMENT when the line is not a JSON object or nests deeper
// than kMaxJsonDepth.
[[nodiscard]] absl::StatusOr<Row> ParseJsonLine(std::string_view line);

}  // namespace fbl::intake
