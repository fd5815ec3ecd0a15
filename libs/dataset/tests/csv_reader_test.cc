#include "libs/dataset/csv_reader.h"

#include <gtest/gtest.h>

#include <sstream>

namespace fbl::dataset {
namespace {

std::vector<std::vector<std::string>> Parse(const std::string& text, absl::Status* status = nullptr) {
  std::istringstream in(text);
  std::vector<std::vector<std::string>> rows;
  absl::Status s = ReadCsv(in, [&](CsvRow& r) {
    rows.push_back(r.fields);
    return true;
  });
  if (status != nullptr) *status = s;
  return rows;
}

TEST(CsvReaderTest, QuotedFieldsWithNewlinesQuotesAndChinese) {
  // Hand-written, shaped like blackcat_complaints.csv (multi-line quoted details).
  auto rows = Parse("\xEF\xBB\xBFtitle,details\n退款,\"第一行\n第二行，说\"\"不退\"\"\"\nx,y\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0][0], "title");  // BOM skipped
  EXPECT_EQ(rows[1][1], "第一行\n第二行，说\"不退\"");
  EXPECT_EQ(rows[2][0], "x");
}

TEST(CsvReaderTest, CrLfAndMissingFinalNewline) {
  auto rows = Parse("a,b\r\n1,2");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1][1], "2");
}

TEST(CsvReaderTest, UnterminatedQuoteIsAnError) {
  absl::Status s;
  Parse("a,b\n1,\"open\n", &s);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
}

TEST(CsvReaderTest, ReadsTheRealDatasetHeaderAndRows) {
  auto table = ReadCsvFile(FBL_DATA_DIR "/waimai_10k.csv");
  if (!table.ok()) GTEST_SKIP() << table.status();
  EXPECT_EQ(table->header, (std::vector<std::string>{"label", "review"}));
  EXPECT_EQ(table->rows.size(), 11987u);
  auto black = ReadCsvFile(FBL_DATA_DIR "/blackcat_complaints.csv");
  ASSERT_TRUE(black.ok()) << black.status();
  EXPECT_EQ(black->rows.size(), 104u);
  EXPECT_GE(black->Column("投诉详情"), 0);
}

}  // namespace
}  // namespace fbl::dataset
