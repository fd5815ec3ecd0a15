#include "tools/cli/format.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "libs/text/utf8.h"

namespace fbl::cli {
namespace {

// Titles from shared/data/blackcat_complaints.csv (real complaints).
constexpr char kPddTitle[] = "拼多多天天领红包虚假";
constexpr char kTaobaoTitle[] = "淘宝省钱卡自动续保不知情情况下被开通自动续费";

TEST(CodePointWidthTest, WideNarrowAndZeroWidth) {
  EXPECT_EQ(CodePointWidth(U'a'), 1);
  EXPECT_EQ(CodePointWidth(U'汉'), 2);
  EXPECT_EQ(CodePointWidth(U'，'), 2);       // U+FF0C fullwidth comma
  EXPECT_EQ(CodePointWidth(U'ｆ'), 2);       // fullwidth Latin
  EXPECT_EQ(CodePointWidth(U'ｱ'), 1);       // halfwidth katakana
  EXPECT_EQ(CodePointWidth(U'한'), 2);       // Hangul syllable
  EXPECT_EQ(CodePointWidth(U'\U0001F600'), 2);  // emoji (East Asian Wide)
  EXPECT_EQ(CodePointWidth(U'é'), 1);
  EXPECT_EQ(CodePointWidth(U'…'), 1);  // ambiguous counts 1
  EXPECT_EQ(CodePointWidth(0x0301), 0);  // combining acute
  EXPECT_EQ(CodePointWidth(0x200D), 0);  // zero width joiner
  EXPECT_EQ(CodePointWidth(0xFE0F), 0);  // variation selector
  EXPECT_EQ(CodePointWidth(U'\t'), 0);
  EXPECT_EQ(CodePointWidth(0x1B), 0);
}

TEST(DisplayWidthTest, CountsColumnsNotBytesOrCodePoints) {
  EXPECT_EQ(DisplayWidth(""), 0);
  EXPECT_EQ(DisplayWidth("ticket"), 6);
  EXPECT_EQ(DisplayWidth(kPddTitle), 20);  // 10 Han characters, 30 bytes
  EXPECT_EQ(DisplayWidth("iPhone 12屏幕"), 13);
  EXPECT_EQ(DisplayWidth("e\xCC\x81"), 1);  // e + combining acute
  EXPECT_EQ(DisplayWidth("\xFF"), 1);        // ill-formed byte shows as U+FFFD
}

TEST(TruncateToWidthTest, CutsAtColumnsWithEllipsis) {
  EXPECT_EQ(TruncateToWidth("hello world", 20), "hello world");
  EXPECT_EQ(TruncateToWidth("hello world", 11), "hello world");
  EXPECT_EQ(TruncateToWidth("hello world", 5), "hell…");
  EXPECT_EQ(TruncateToWidth("hello world", 7), "hello…");  // no space before the ellipsis
  EXPECT_EQ(TruncateToWidth(kPddTitle, 7), "拼多多…");       // a wide character never straddles the edge
  EXPECT_EQ(TruncateToWidth(kPddTitle, 8), "拼多多…");
  EXPECT_EQ(TruncateToWidth(kPddTitle, 9), "拼多多天…");
  EXPECT_EQ(TruncateToWidth(kPddTitle, 0), "");
  EXPECT_EQ(TruncateToWidth(kPddTitle, 1), "…");
}

TEST(TruncateToWidthTest, ResultFitsAndStaysValidUtf8) {
  for (int w = 1; w <= 50; ++w) {
    const std::string cut = TruncateToWidth(kTaobaoTitle, w);
    EXPECT_LE(DisplayWidth(cut), w) << w;
    EXPECT_TRUE(text::ValidateUtf8(cut).ok()) << w;
    if (w >= DisplayWidth(kTaobaoTitle)) {
      EXPECT_EQ(cut, kTaobaoTitle);
    }
  }
}

TEST(PadToWidthTest, PadsByDisplayWidth) {
  EXPECT_EQ(PadToWidth("拼多多", 8), "拼多多  ");
  EXPECT_EQ(PadToWidth("42", 5, true), "   42");
  EXPECT_EQ(PadToWidth(kPddTitle, 4), kPddTitle);
}

TEST(OneLineTest, FlattensControlCharacters) {
  EXPECT_EQ(OneLine("第一行\n第二行\tend\r\n"), "第一行 第二行 end");
  EXPECT_EQ(OneLine("a\x1b[31mb"), "a[31mb");  // no terminal escapes from data
  EXPECT_EQ(OneLine("  x  "), "x");
  EXPECT_EQ(OneLine("bad\xFF" "byte"), "bad\xEF\xBF\xBD" "byte");
}

// The display column at which each cell after the first starts, per line.
std::vector<std::vector<int>> ColumnStarts(const std::string& rendered, const std::vector<std::string>& firsts) {
  std::vector<std::vector<int>> out;
  for (absl::string_view line : absl::StrSplit(rendered, '\n', absl::SkipEmpty())) {
    std::vector<int> starts;
    for (const auto& marker : firsts) {
      const size_t at = line.find(marker);
      starts.push_back(at == absl::string_view::npos ? -1 : DisplayWidth(std::string_view(line.data(), at)));
    }
    out.push_back(starts);
  }
  return out;
}

TEST(TableTest, AlignsColumnsByDisplayWidth) {
  Table t({{"ID"}, {"TITLE", 12}, {"COUNT", 0, true}, {"STATE"}});
  t.AddRow({"t1", kPddTitle, "7", "pending"});
  t.AddRow({"t22", "refund", "1234", "in_progress"});
  EXPECT_EQ(t.rows(), 2u);
  const std::string out = t.Render();
  EXPECT_EQ(out,
            "ID   TITLE        COUNT  STATE\n"
            "t1   拼多多天天…      7  pending\n"
            "t22  refund        1234  in_progress\n");
}

TEST(TableTest, CellsOnOneLineAndMissingCellsEmpty) {
  Table t({{"A"}, {"B"}, {"C"}});
  t.AddRow({"x\ny"});
  t.AddRow({"1", "2", "3", "ignored"});
  EXPECT_EQ(t.Render(), "A    B  C\nx y\n1    2  3\n");
}

TEST(TableTest, EveryLineHasColumnsAtTheSameDisplayColumn) {
  // Real complaint titles of different widths, mixed with ASCII.
  Table t({{"TICKET"}, {"TITLE", 16}, {"DEPT"}});
  t.AddRow({"01933b6e", kPddTitle, "@logistics"});
  t.AddRow({"01933b6f", kTaobaoTitle, "@platform"});
  t.AddRow({"01933b70", "refund refused", "@after_sales"});
  const auto starts = ColumnStarts(t.Render(), {"@"});
  ASSERT_EQ(starts.size(), 4u);
  for (size_t i = 2; i < starts.size(); ++i) EXPECT_EQ(starts[i], starts[1]);
}

TEST(TableTest, HeaderOnlyWithoutRows) {
  Table t({{"ALERT"}, {"STATE"}});
  EXPECT_EQ(t.Render(), "ALERT  STATE\n");
}

TEST(RenderFieldsTest, AlignsValuesAndSkipsEmpty) {
  EXPECT_EQ(RenderFields({{"ticket", "t1"}, {"assignee", ""}, {"title", kPddTitle}, {"feedback", "f1\nf2"}}),
            "ticket:   t1\n"
            "title:    拼多多天天领红包虚假\n"
            "feedback: f1\n"
            "          f2\n");
}

TEST(FormatTimeTest, InTheGivenZone) {
  absl::TimeZone shanghai;
  ASSERT_TRUE(absl::LoadTimeZone("Asia/Shanghai", &shanghai));
  EXPECT_EQ(FormatLocalTime(absl::FromUnixSeconds(1700000000), shanghai), "2023-11-15 06:13:20");
  EXPECT_EQ(FormatLocalTime(absl::FromUnixSeconds(1700000000), absl::UTCTimeZone()), "2023-11-14 22:13:20");
  EXPECT_EQ(FormatLocalTime(absl::UnixEpoch(), shanghai), "");
  EXPECT_EQ(FormatLocalTime(absl::InfinitePast(), shanghai), "");
}

TEST(FormatSecondsTest, TwoLargestUnits) {
  EXPECT_EQ(FormatSeconds(0), "0s");
  EXPECT_EQ(FormatSeconds(45), "45s");
  EXPECT_EQ(FormatSeconds(725), "12m 5s");
  EXPECT_EQ(FormatSeconds(3600), "1h");
  EXPECT_EQ(FormatSeconds(12000), "3h 20m");
  EXPECT_EQ(FormatSeconds(86400), "1d");
  EXPECT_EQ(FormatSeconds(187200), "2d 4h");
  EXPECT_EQ(FormatSeconds(-90), "-1m 30s");
  EXPECT_EQ(FormatSeconds(1.6), "2s");
}

TEST(FormatRateTest, PercentAndSignedChange) {
  EXPECT_EQ(FormatPercent(0.1234), "12.3%");
  EXPECT_EQ(FormatPercent(1), "100.0%");
  EXPECT_EQ(FormatChange(0.125), "+12.5%");
  EXPECT_EQ(FormatChange(-0.2), "-20.0%");
  EXPECT_EQ(FormatChange(0.0), "+0.0%");
  EXPECT_EQ(FormatChange(std::nullopt), "-");
}

}  // namespace
}  // namespace fbl::cli
