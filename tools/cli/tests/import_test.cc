#include "tools/cli/import.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

namespace fbl::cli {
namespace {

namespace cpb = ::feedbackloop::common::v1;
using ::testing::HasSubstr;

std::vector<ImportRow> ReadAll(const std::string& content, const ImportOptions& o, absl::Status* status = nullptr) {
  std::istringstream in(content);
  std::vector<ImportRow> rows;
  absl::Status s = ReadImport(in, o, [&](ImportRow& r) {
    rows.push_back(std::move(r));
    return true;
  });
  if (status != nullptr) *status = s;
  return rows;
}

TEST(ImportFormatTest, FromExtensionOrFlag) {
  EXPECT_EQ(*ImportFormatFor("stores.CSV", ""), ImportFormat::kCsv);
  EXPECT_EQ(*ImportFormatFor("a.jsonl", ""), ImportFormat::kJsonl);
  EXPECT_EQ(*ImportFormatFor("a.ndjson", ""), ImportFormat::kJsonl);
  EXPECT_EQ(*ImportFormatFor("export.txt", "csv"), ImportFormat::kCsv);
  EXPECT_FALSE(ImportFormatFor("export.txt", "").ok());
  EXPECT_FALSE(ImportFormatFor("a.csv", "xml").ok());
}

// Review texts from shared/data (ChnSentiCorp_htl_all.csv, waimai_10k.csv).
TEST(ImportJsonlTest, SubmissionsWithDefaultsAndStableIds) {
  const std::string jsonl =
      "\xEF\xBB\xBF{\"text\": \"早餐太差，无论去多少人，那边也不加食品的。酒店应该重视一下这个问题了。房间本身很好。\", "
      "\"customerId\": \"u1\"}\n"
      "\n"
      "{\"external_id\": \"wm-2\", \"source\": \"waimai\", \"channel\": \"CHANNEL_APP_FORM\", \"text\": "
      "\"没有送水没有送水没有送水\", \"labels\": {\"shop\": \"12\"}}\n"
      "{\"text\": \"很快，好吃，味道足，量大\", \"colour\": \"red\"}\n"
      "{not json\n";
  ImportOptions o;
  o.source = "hotel-export";
  o.channel = cpb::CHANNEL_ECOMMERCE_REVIEW;
  o.offline = true;
  absl::Status st;
  auto rows = ReadAll(jsonl, o, &st);
  ASSERT_TRUE(st.ok()) << st;
  ASSERT_EQ(rows.size(), 4u);  // the blank line is skipped

  EXPECT_EQ(rows[0].line, 1);
  ASSERT_TRUE(rows[0].submission.ok()) << rows[0].submission.status();
  const auto& a = *rows[0].submission;
  EXPECT_EQ(a.source(), "hotel-export");
  EXPECT_EQ(a.channel(), cpb::CHANNEL_ECOMMERCE_REVIEW);
  EXPECT_EQ(a.customer_id(), "u1");
  EXPECT_TRUE(a.offline());
  EXPECT_THAT(a.external_id(), ::testing::MatchesRegex("row:[0-9a-f]{16}"));

  EXPECT_EQ(rows[1].line, 3);
  ASSERT_TRUE(rows[1].submission.ok());
  const auto& b = *rows[1].submission;
  EXPECT_EQ(b.external_id(), "wm-2");  // given ids are kept
  EXPECT_EQ(b.source(), "waimai");
  EXPECT_EQ(b.channel(), cpb::CHANNEL_APP_FORM);
  EXPECT_EQ(b.labels().at("shop"), "12");

  EXPECT_EQ(rows[2].line, 4);  // unknown field: an error for that row only
  ASSERT_FALSE(rows[2].submission.ok());
  EXPECT_THAT(rows[2].submission.status().message(), HasSubstr("colour"));
  EXPECT_EQ(rows[3].line, 5);
  EXPECT_FALSE(rows[3].submission.ok());

  // The same file again: the same ids, so intake answers REPLAY.
  auto again = ReadAll(jsonl, o);
  EXPECT_EQ(again[0].submission->external_id(), a.external_id());
}

TEST(ImportJsonlTest, StopsWhenTheSinkSaysSo) {
  std::istringstream in("{\"text\":\"a\"}\n{\"text\":\"b\"}\n{\"text\":\"c\"}\n");
  int seen = 0;
  ASSERT_TRUE(ReadImport(in, ImportOptions{}, [&](ImportRow&) { return ++seen < 2; }).ok());
  EXPECT_EQ(seen, 2);
}

TEST(DerivedExternalIdTest, DependsOnContentOnly) {
  ::feedbackloop::feedback::v1::FeedbackSubmission a, b;
  a.set_source("s");
  a.set_text("没有送水没有送水没有送水");
  b = a;
  EXPECT_EQ(DerivedExternalId(a), DerivedExternalId(b));
  b.set_customer_id("u2");
  EXPECT_NE(DerivedExternalId(a), DerivedExternalId(b));
  // Field boundaries count: ("ab", "c") is not ("a", "bc").
  ::feedbackloop::feedback::v1::FeedbackSubmission x, y;
  x.set_title("ab");
  x.set_text("c");
  y.set_title("a");
  y.set_text("bc");
  EXPECT_NE(DerivedExternalId(x), DerivedExternalId(y));
}

TEST(ImportCsvTest, MappedColumnsQuotedNewlinesAndLabels) {
  // Shaped like blackcat_complaints.csv; the texts are its first two rows.
  const std::string csv =
      "投诉标题,投诉详情,投诉对象,编号\n"
      "拼多多天天领红包虚假,\"200砍到只剩0.02，邀请十几个人，\n新人都没有用\",拼多多客户服务,bc-1\n"
      "天天领现金好友助力异常,找朋友帮忙助力，现金却不增加，而且显示异常，,,bc-2\n";
  ImportOptions o;
  o.format = ImportFormat::kCsv;
  o.text_column = "投诉详情";
  o.title_column = "投诉标题";
  o.id_column = "编号";
  o.label_columns = {{"company", "投诉对象"}};
  o.channel = cpb::CHANNEL_COMPLAINT_PLATFORM_BLACKCAT;
  absl::Status st;
  auto rows = ReadAll(csv, o, &st);
  ASSERT_TRUE(st.ok()) << st;
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].line, 2);
  const auto& a = *rows[0].submission;
  EXPECT_EQ(a.title(), "拼多多天天领红包虚假");
  EXPECT_EQ(a.text(), "200砍到只剩0.02，邀请十几个人，\n新人都没有用");
  EXPECT_EQ(a.external_id(), "bc-1");
  EXPECT_EQ(a.labels().at("company"), "拼多多客户服务");
  EXPECT_EQ(a.channel(), cpb::CHANNEL_COMPLAINT_PLATFORM_BLACKCAT);
  const auto& b = *rows[1].submission;
  EXPECT_EQ(b.external_id(), "bc-2");
  EXPECT_FALSE(b.labels().contains("company"));  // empty cells add no label
}

TEST(ImportCsvTest, MissingColumnIsAWholeFileError) {
  ImportOptions o;
  o.format = ImportFormat::kCsv;
  o.text_column = "review";
  absl::Status st;
  auto rows = ReadAll("label,text\n1,好\n", o, &st);
  EXPECT_TRUE(rows.empty());
  EXPECT_THAT(st.message(), HasSubstr("no column 'review'; its columns: label, text"));
}

TEST(ImportCsvTest, SyntaxErrorIsAWholeFileError) {
  ImportOptions o;
  o.format = ImportFormat::kCsv;
  absl::Status st;
  ReadAll("text\n\"unterminated\n", o, &st);
  EXPECT_FALSE(st.ok());
}

// The whole real Black Cat file: every complaint becomes one submission.
TEST(ImportCsvTest, RealBlackCatFile) {
  const std::string path = std::string(FBL_DATA_DIR) + "/blackcat_complaints.csv";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " not present";
  std::ifstream in(path, std::ios::binary);
  ImportOptions o;
  o.format = ImportFormat::kCsv;
  o.text_column = "投诉详情";
  o.title_column = "投诉标题";
  o.label_columns = {{"company", "投诉对象"}, {"demand", "投诉要求"}};
  std::vector<::feedbackloop::feedback::v1::FeedbackSubmission> subs;
  ASSERT_TRUE(ReadImport(in, o, [&](ImportRow& r) {
                EXPECT_TRUE(r.submission.ok());
                subs.push_back(*r.submission);
                return true;
              }).ok());
  ASSERT_EQ(subs.size(), 104u);  // shared/data/README.md
  EXPECT_EQ(subs[0].title(), "拼多多天天领红包虚假");
  EXPECT_EQ(subs[0].labels().at("company"), "拼多多客户服务");
  std::set<std::string> ids;
  for (const auto& s : subs) {
    EXPECT_FALSE(s.text().empty());
    ids.insert(s.external_id());
  }
  EXPECT_EQ(ids.size(), subs.size());  // derived ids tell the rows apart
}

}  // namespace
}  // namespace fbl::cli
