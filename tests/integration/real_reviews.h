// Real reviews for integration tests (../shared/data, see its README).
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "libs/dataset/csv_reader.h"

namespace fbl::testing {

// The first n reviews of the e-commerce set with non-blank text of at least
// min_bytes bytes.
inline std::vector<std::string> RealReviews(size_t n, size_t min_bytes = 0) {
  auto table = dataset::ReadCsvFile(FBL_DATA_DIR "/online_shopping_10_cats.csv");
  EXPECT_TRUE(table.ok()) << table.status();
  std::vector<std::string> out;
  if (!table.ok()) return out;
  const int col = table->Column("review");
  for (const auto& row : table->rows) {
    if (row.fields.size() <= static_cast<size_t>(col)) continue;
    const std::string& t = row.fields[col];
    if (t.find_first_not_of(" \t\r\n") == std::string::npos || t.size() < min_bytes) continue;
    out.push_back(t);
    if (out.size() == n) break;
  }
  return out;
}

}  // namespace fbl::testing
