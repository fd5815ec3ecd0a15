#include "services/intake/importer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace fbl::intake {
namespace {

using ::testing::HasSubstr;

TEST(ImporterTest, MappingIsCheckedByName) {
  auto bad = config::LoadFromString<ImportMapping>("columns: {txt: review}\n", "m.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("columns.txt"));
  auto ch = config::LoadFromString<ImportMapping>("channel: FAX\ncolumns: {text: review}\n", "m.yaml");
  ASSERT_FALSE(ch.ok());
  EXPECT_THAT(std::string(ch.status().message()), HasSubstr("channel"));
}

TEST(ImporterTest, MapsRowsDeterministically) {
  auto m = config::LoadFromString<ImportMapping>(R"(
source: blackcat-import
channel: CHANNEL_COMPLAINT_PLATFORM_BLACKCAT
columns: {text: 投诉详情, title: 投诉标题, labels.company: 投诉对象}
)", "m.yaml");
  ASSERT_TRUE(m.ok()) << m.status();
  // Shaped like blackcat_complaints.csv (hand-made values).
  Row row = {{"投诉详情", "购买后一直不发货，客服不回复"}, {"投诉标题", "不发货"}, {"投诉对象", "某商城"}};
  auto a = MapRow(*m, row);
  auto b = MapRow(*m, row);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->external_id(), b->external_id());  // re-import is a replay
  EXPECT_EQ(a->external_id().rfind("row:", 0), 0u);
  EXPECT_TRUE(a->offline());
  EXPECT_EQ(a->labels().at("company"), "某商城");
  row["投诉详情"] = "不同的内容";
  EXPECT_NE(MapRow(*m, row)->external_id(), a->external_id());
  row.erase("投诉标题");
  EXPECT_FALSE(MapRow(*m, row).ok());
}

TEST(ImporterTest, ParsesTimesInShanghaiByDefault) {
  auto m = config::LoadFromString<ImportMapping>("columns: {text: t, submitted_at: at}\n", "m.yaml");
  ASSERT_TRUE(m.ok());
  auto s = MapRow(*m, {{"t", "刹车异响"}, {"at", "2020-06-01 08:00:00"}});
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->submitted_at().seconds(), 1590969600);  // 2020-06-01T00:00:00Z
  EXPECT_FALSE(MapRow(*m, {{"t", "x"}, {"at", "yesterday"}}).ok());
}

TEST(ImporterTest, JsonLinesBecomeRowsAndDeepNestingIsRefusedBeforeParsing) {
  // Hand-made line shaped like the store-record exports.
  auto row = ParseJsonLine(R"({"id": "s-1", "text": "门店排队太久", "score": 2, "tags": ["排队", {"k": "v"}]})");
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_EQ(row->at("text"), "门店排队太久");
  EXPECT_EQ(row->at("score"), "2");
  EXPECT_EQ(row->at("tags"), R"(["排队",{"k":"v"}])");

  auto nested = [](int levels) {
    return "{\"id\": \"deep\", \"text\": " + std::string(levels, '[') + std::string(levels, ']') + "}";
  };
  EXPECT_TRUE(ParseJsonLine(nested(kMaxJsonDepth - 1)).ok());  // the object itself is one level
  auto deep = ParseJsonLine(nested(100000));
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(deep.status().message()), HasSubstr("deeper than 64 levels"));
  EXPECT_FALSE(ParseJsonLine(nested(kMaxJsonDepth)).ok());
  // Brackets inside strings (and escaped quotes) do not count.
  const std::string brackets = "{\"text\": \"" + std::string(200, '[') + "\\\"" + std::string(200, '{') + "\"}";
  auto in_string = ParseJsonLine(brackets);
  ASSERT_TRUE(in_string.ok()) << in_string.status();
  EXPECT_EQ(in_string->at("text").size(), 401u);

  EXPECT_THAT(std::string(ParseJsonLine("[1, 2]").status().message()), HasSubstr("not a JSON object"));
  EXPECT_FALSE(ParseJsonLine("{\"text\": ").ok());
}

}  // namespace
}  // namespace fbl::intake
