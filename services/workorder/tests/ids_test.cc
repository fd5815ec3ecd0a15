#include "services/workorder/ids.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace fbl::workorder {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(IdsTest, GeneratedIdsPass) {
  // The shape TicketService and PlanStore generate ("tk-"/"pl-" + a ULID).
  EXPECT_TRUE(CheckId("ticket_id", "tk-01JD3Z8Q4W6C2XK9M0N7P5R1ST").ok());
  EXPECT_TRUE(CheckId("plan_id", std::string(kMaxIdBytes, 'a')).ok());
}

TEST(IdsTest, EmptyAndOverLongIdsAreInvalidWithoutEchoingTheId) {
  absl::Status empty = CheckId("ticket_id", "");
  EXPECT_EQ(empty.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(empty.message(), "ticket_id is required");

  const std::string huge = std::string(10 << 20, 'x');
  absl::Status longer = CheckId("ticket_id", huge);
  EXPECT_EQ(longer.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(longer.message(), HasSubstr("ticket_id is longer than 128 bytes"));
  EXPECT_THAT(longer.message(), Not(HasSubstr("xxxx")));
  EXPECT_LT(longer.message().size(), 80u);
  EXPECT_EQ(CheckId("plan_id", std::string(kMaxIdBytes + 1, 'p')).code(), absl::StatusCode::kInvalidArgument);
}

TEST(IdsTest, EchoIdCapsLongIdsAtACharacterBoundary) {
  EXPECT_EQ(EchoId("tk-short"), "tk-short");
  EXPECT_EQ(EchoId(std::string(kEchoIdBytes, 'a')), std::string(kEchoIdBytes, 'a'));
  EXPECT_EQ(EchoId(std::string(1000, 'x')), std::string(kEchoIdBytes, 'x') + "…");
  // 63 ASCII bytes, then 3-byte characters: the cut must not split "工".
  const std::string mixed = std::string(63, 'a') + "工单工单";
  const std::string echoed = EchoId(mixed);
  EXPECT_EQ(echoed, std::string(63, 'a') + "…");
}

}  // namespace
}  // namespace fbl::workorder
