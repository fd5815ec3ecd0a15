// libFuzzer: one JSONL line of `intake import` (services/intake/importer.h):
// a row or a clear INVALID_ARGUMENT, never a crash (deep nesting included).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "services/intake/json_line.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  auto row = fbl::intake::ParseJsonLine(line);
  if (!row.ok() && (row.status().code() != absl::StatusCode::kInvalidArgument || row.status().message().empty())) {
    __builtin_trap();
  }
  return 0;
}
