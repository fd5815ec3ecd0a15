#include "libs/text/utf8.h"

#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fbl::text {
namespace {

using ::testing::HasSubstr;

void ExpectInvalidAt(std::string_view s, size_t offset) {
  const absl::Status status = ValidateUtf8(s);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << testing::PrintToString(s);
  EXPECT_THAT(std::string(status.message()), HasSubstr("byte offset " + std::to_string(offset)))
      << status;
}

TEST(ValidateUtf8, AcceptsWellFormedText) {
  EXPECT_TRUE(ValidateUtf8("").ok());
  EXPECT_TRUE(ValidateUtf8("plain ascii").ok());
  EXPECT_TRUE(ValidateUtf8("送餐超级慢，饭都凉了").ok());
  EXPECT_TRUE(ValidateUtf8("\xEF\xBB\xBF带BOM").ok());
  EXPECT_TRUE(ValidateUtf8("emoji \xF0\x9F\x98\x80 and U+10FFFF \xF4\x8F\xBF\xBF").ok());
  EXPECT_TRUE(ValidateUtf8("\xED\x9F\xBF").ok());  // U+D7FF, just below surrogates
  EXPECT_TRUE(ValidateUtf8(std::string("nul\0inside", 10)).ok());
}

TEST(ValidateUtf8, RejectsOverlong) {
  ExpectInvalidAt("\xC0\xAF", 0);                // overlong '/'
  ExpectInvalidAt("ab\xC1\xBF", 2);              // overlong 2-byte
  ExpectInvalidAt("好\xE0\x80\xAF", 3);          // overlong 3-byte
  ExpectInvalidAt("\xF0\x80\x80\xAF", 0);        // overlong 4-byte
}

TEST(ValidateUtf8, RejectsSurrogates) {
  ExpectInvalidAt("\xED\xA0\x80", 0);            // U+D800
  ExpectInvalidAt("ok \xED\xBF\xBF", 3);         // U+DFFF
}

TEST(ValidateUtf8, RejectsAboveMaxCodePoint) {
  ExpectInvalidAt("\xF4\x90\x80\x80", 0);        // U+110000
  ExpectInvalidAt("\xF5\x80\x80\x80", 0);
  ExpectInvalidAt("\xFF", 0);
}

TEST(ValidateUtf8, RejectsTruncatedAndStrayBytes) {
  ExpectInvalidAt("\xE4\xB8", 0);                // truncated 中 (E4 B8 AD)
  ExpectInvalidAt("中文\xE4\xB8", 6);
  ExpectInvalidAt("\xE4\xB8x", 0);               // continuation missing mid-text
  ExpectInvalidAt("a\x80", 1);                   // stray continuation byte
  ExpectInvalidAt("\xF0\x9F\x98", 0);            // truncated emoji
}

TEST(StripBom, RemovesOnlyLeadingBom) {
  EXPECT_EQ(StripBom("\xEF\xBB\xBF好评"), "好评");
  EXPECT_EQ(StripBom("好评"), "好评");
  EXPECT_EQ(StripBom("好\xEF\xBB\xBF评"), "好\xEF\xBB\xBF评");
  EXPECT_EQ(StripBom("\xEF\xBB\xBF\xEF\xBB\xBFx"), "\xEF\xBB\xBFx");  // one only
  EXPECT_EQ(StripBom("\xEF\xBB"), "\xEF\xBB");
  EXPECT_EQ(StripBom(""), "");
}

TEST(CodePointCount, CountsCodePointsNotBytes) {
  EXPECT_EQ(CodePointCount(""), 0u);
  EXPECT_EQ(CodePointCount("abc"), 3u);
  EXPECT_EQ(CodePointCount("饭都凉了"), 4u);
  EXPECT_EQ(CodePointCount("a\xF0\x9F\x98\x80z"), 3u);
}

TEST(NextCodePoint, DecodesAndReplacesIllFormedSequences) {
  const std::string s = "a中\xC0\xAF\xE4\xB8";
  size_t pos = 0;
  EXPECT_EQ(NextCodePoint(s, &pos), U'a');
  EXPECT_EQ(NextCodePoint(s, &pos), U'中');
  EXPECT_EQ(NextCodePoint(s, &pos), kReplacementChar);  // C0
  EXPECT_EQ(NextCodePoint(s, &pos), kReplacementChar);  // AF
  EXPECT_EQ(NextCodePoint(s, &pos), kReplacementChar);  // truncated E4 B8
  EXPECT_EQ(pos, s.size());
}

TEST(AppendUtf8, RoundTripsAllLengths) {
  std::string out;
  for (const char32_t cp : {U'a', U'é', U'中', U'\U0001F600'}) AppendUtf8(cp, &out);
  EXPECT_EQ(out, "a\xC3\xA9中\xF0\x9F\x98\x80");
  out.clear();
  AppendUtf8(0xD800, &out);
  EXPECT_EQ(out, "\xEF\xBF\xBD");
}

}  // namespace
}  // namespace fbl::text

namespace fbl::text {
namespace {

TEST(Utf8Prefix, NeverSplitsASequence) {
  const std::string s = "送餐慢ab";  // 3 x 3 bytes, then ASCII
  EXPECT_EQ(Utf8Prefix(s, 100), s);
  EXPECT_EQ(Utf8Prefix(s, 9), "送餐慢");
  EXPECT_EQ(Utf8Prefix(s, 8), "送餐");
  EXPECT_EQ(Utf8Prefix(s, 7), "送餐");
  EXPECT_EQ(Utf8Prefix(s, 2), "");
  EXPECT_EQ(Utf8Prefix(s, 10), "送餐慢a");
  for (size_t n = 0; n <= s.size(); ++n) EXPECT_TRUE(ValidateUtf8(Utf8Prefix(s, n)).ok()) << n;
}

}  // namespace
}  // namespace fbl::text
