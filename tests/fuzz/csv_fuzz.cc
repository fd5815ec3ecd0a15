// libFuzzer: the RFC 4180 CSV reader (libs/dataset) used by `intake import`
// and the evaluation tools.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "libs/dataset/csv_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  int64_t last = 0;
  size_t bytes = 0;
  absl::Status st = fbl::dataset::ReadCsv(in, [&](fbl::dataset::CsvRow& row) {
    if (row.record <= last) __builtin_trap();  // record numbers increase
    last = row.record;
    for (const auto& f : row.fields) bytes += f.size();
    if (bytes > size) __builtin_trap();  // fields never hold more than the input
    return true;
  });
  if (!st.ok() && st.message().empty()) __builtin_trap();
  return 0;
}
