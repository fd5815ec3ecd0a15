#include "libs/text/feedback_id.h"

#include <regex>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace fbl::text {
namespace {

TEST(NewFeedbackId, IsLowercaseUuidV7) {
  const std::regex kUuidV7("^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  for (int i = 0; i < 1000; ++i) {
    const std::string id = NewFeedbackId();
    ASSERT_TRUE(std::regex_match(id, kUuidV7)) << id;
  }
}

TEST(NewFeedbackId, StrictlyIncreasingAndUniqueOver100kIds) {
  constexpr int kCount = 100000;
  std::vector<std::string> ids;
  ids.reserve(kCount);
  for (int i = 0; i < kCount; ++i) ids.push_back(NewFeedbackId());
  for (int i = 1; i < kCount; ++i) {
    ASSERT_LT(ids[i - 1], ids[i]) << "at " << i;
  }
  EXPECT_EQ(std::unordered_set<std::string>(ids.begin(), ids.end()).size(), ids.size());
}

TEST(NewFeedbackId, UniqueAcrossThreads) {
  std::vector<std::vector<std::string>> per_thread(4);
  std::vector<std::thread> threads;
  for (auto& out : per_thread) {
    threads.emplace_back([&out] {
      for (int i = 0; i < 10000; ++i) out.push_back(NewFeedbackId());
    });
  }
  for (auto& t : threads) t.join();
  std::unordered_set<std::string> all;
  for (const auto& ids : per_thread) all.insert(ids.begin(), ids.end());
  EXPECT_EQ(all.size(), 40000u);
}

TEST(FeedbackIdTime, RoundTripsGenerationTime) {
  // A fresh thread has fresh generator state, so the embedded timestamp is the
  // real clock (no counter-overflow carry from other tests).
  std::thread([] {
    const absl::Time before = absl::Now();
    const std::string id = NewFeedbackId();
    const absl::Time after = absl::Now();
    const absl::StatusOr<absl::Time> t = FeedbackIdTime(id);
    ASSERT_TRUE(t.ok()) << t.status();
    EXPECT_GE(*t, absl::FromUnixMillis(absl::ToUnixMillis(before)));
    EXPECT_LE(*t, after);
  }).join();
}

TEST(FeedbackIdTime, KnownValue) {
  // RFC 9562 appendix A.6 example: 2022-02-22 19:22:22 UTC.
  const auto t = FeedbackIdTime("017F22E2-79B0-7CC3-98C4-DC0C0C07398F");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(absl::ToUnixMillis(*t), 0x017F22E279B0);
  EXPECT_EQ(absl::FormatTime("%Y-%m-%d %H:%M:%S", *t, absl::UTCTimeZone()),
            "2022-02-22 19:22:22");
}

TEST(FeedbackIdTime, RejectsMalformedIds) {
  for (const std::string_view bad : {
           "",
           "017f22e2-79b0-7cc3-98c4-dc0c0c07398",    // short
           "017f22e279b07cc398c4dc0c0c07398f",       // no hyphens
           "017f22e2-79b0-4cc3-98c4-dc0c0c07398f",   // version 4
           "017f22e2-79b0-7cc3-c8c4-dc0c0c07398f",   // variant 110
           "017f22e2-79b0-7cc3-98c4-dc0c0c07398g",   // not hex
           "017f22e2_79b0-7cc3-98c4-dc0c0c07398f",
       }) {
    EXPECT_EQ(FeedbackIdTime(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace fbl::text
