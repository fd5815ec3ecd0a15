#include "services/intake/json_line.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"

namespace fbl::intake {

absl::StatusOr<Row> ParseJsonLine(std::string_view line) {
  // nlohmann's parser is iterative, but dump() and the value's destruction
  // recurse: bound the depth with a cheap scan first.
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // skip the escaped character
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxJsonDepth) {
        return absl::InvalidArgumentError(
            absl::StrCat("line nests JSON deeper than ", kMaxJsonDepth, " levels (at byte ", i, ")"));
      }
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return absl::InvalidArgumentError("line is not a JSON object");
  Row row;
  for (auto it = j.begin(); it != j.end(); ++it) {
    row[it.key()] = it->is_string() ? it->get<std::string>() : it->dump();
  }
  return row;
}

}  // namespace fbl::intake
