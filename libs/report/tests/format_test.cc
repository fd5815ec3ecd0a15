#include "libs/report/format.h"

#include <gtest/gtest.h>

namespace fbl::report {
namespace {

TEST(FormatTest, EscapesMarkupQuotesAndAmpersands) {
  // Hand-written hostile text.
  EXPECT_EQ(EscapeHtml("<script>alert(\"x\")</script> & 'q'"),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;");
  EXPECT_EQ(EscapeHtml("变速箱顿挫"), "变速箱顿挫");
  EXPECT_EQ(EscapeHtml("a\x01\x7F" "b\n\tc"), "a  b\n\tc");
}

TEST(FormatTest, InvalidUtf8BecomesReplacementCharacter) {
  EXPECT_EQ(SanitizeUtf8("ok\xFFok"), "ok\xEF\xBF\xBDok");
  EXPECT_EQ(SanitizeUtf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
  EXPECT_EQ(SanitizeUtf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(SanitizeUtf8("\xE5\x8F"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // truncated 发
  EXPECT_EQ(SanitizeUtf8("\xF0\x9F\x98\x80"), "\xF0\x9F\x98\x80");  // emoji stays
  EXPECT_EQ(EscapeHtml("<\xFF>"), "&lt;\xEF\xBF\xBD&gt;");
}

TEST(FormatTest, TruncatesOnCodePoints) {
  EXPECT_EQ(TruncateUtf8("刹车失灵仪表盘", 4), "刹车失灵…");
  EXPECT_EQ(TruncateUtf8("刹车失灵", 4), "刹车失灵");
  EXPECT_EQ(TruncateUtf8("", 3), "");
}

TEST(FormatTest, Numbers) {
  EXPECT_EQ(FormatCount(0), "0");
  EXPECT_EQ(FormatCount(999), "999");
  EXPECT_EQ(FormatCount(1000), "1,000");
  EXPECT_EQ(FormatCount(1234567), "1,234,567");
  EXPECT_EQ(FormatCount(-45000), "-45,000");
  EXPECT_EQ(FormatCount(INT64_MIN), "-9,223,372,036,854,775,808");
  EXPECT_EQ(FormatPercent(0.8531), "85.3%");
  EXPECT_EQ(FormatPercent(0.5, 0), "50%");
  EXPECT_EQ(FormatPercent(std::nan("")), "—");
  EXPECT_EQ(FormatChange(0.25), "↑ 25.0%");
  EXPECT_EQ(FormatChange(-0.1), "↓ 10.0%");
  EXPECT_EQ(FormatChange(0.0), "→ 0.0%");
  EXPECT_EQ(FormatChange(std::nullopt), "—");
  EXPECT_EQ(FormatChange(std::numeric_limits<double>::infinity()), "—");
  EXPECT_EQ(Num(1.5), "1.5");
  EXPECT_EQ(Num(110), "110");
  EXPECT_EQ(Num(-0.001), "0");
  EXPECT_EQ(Num(3.14159), "3.14");
}

TEST(FormatTest, DatesInTheReportZone) {
  absl::TimeZone shanghai;
  ASSERT_TRUE(absl::LoadTimeZone("Asia/Shanghai", &shanghai));
  const absl::Time t = absl::FromUnixSeconds(1598198400);  // 2020-08-23T16:00:00Z
  EXPECT_EQ(FormatDate(t, shanghai), "2020-08-24");
  EXPECT_EQ(FormatDate(t, absl::UTCTimeZone()), "2020-08-23");
  EXPECT_EQ(FormatDate(absl::InfinitePast(), shanghai), "—");
}

}  // namespace
}  // namespace fbl::report
