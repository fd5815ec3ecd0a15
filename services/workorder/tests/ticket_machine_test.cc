// Ticket states (WO-2): the legal transitions and the error for the rest.
#include "services/workorder/ticket_machine.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace fbl::workorder {
namespace {

using ::testing::HasSubstr;

TEST(TicketMachineTest, TheHappyPathIsLegal) {
  const pb::TicketState path[] = {pb::TICKET_STATE_PENDING, pb::TICKET_STATE_IN_PROGRESS,
                                  pb::TICKET_STATE_AWAITING_VERIFICATION, pb::TICKET_STATE_DONE,
                                  pb::TICKET_STATE_CLOSED};
  for (size_t i = 0; i + 1 < std::size(path); ++i) EXPECT_TRUE(CheckTransition(path[i], path[i + 1]).ok()) << i;
}

TEST(TicketMachineTest, ReopenCancelAndMerge) {
  EXPECT_TRUE(IsReopen(pb::TICKET_STATE_DONE, pb::TICKET_STATE_IN_PROGRESS));
  EXPECT_TRUE(IsReopen(pb::TICKET_STATE_CLOSED, pb::TICKET_STATE_IN_PROGRESS));
  EXPECT_FALSE(IsReopen(pb::TICKET_STATE_AWAITING_VERIFICATION, pb::TICKET_STATE_IN_PROGRESS));
  EXPECT_TRUE(CheckTransition(pb::TICKET_STATE_CLOSED, pb::TICKET_STATE_IN_PROGRESS).ok());
  for (auto open : {pb::TICKET_STATE_PENDING, pb::TICKET_STATE_IN_PROGRESS, pb::TICKET_STATE_AWAITING_VERIFICATION}) {
    EXPECT_TRUE(IsOpen(open));
    EXPECT_TRUE(CheckTransition(open, pb::TICKET_STATE_CANCELLED).ok());
    EXPECT_TRUE(CheckTransition(open, pb::TICKET_STATE_MERGED).ok());
  }
  EXPECT_TRUE(IsFinal(pb::TICKET_STATE_CANCELLED));
  EXPECT_TRUE(IsFinal(pb::TICKET_STATE_MERGED));
  EXPECT_FALSE(IsOpen(pb::TICKET_STATE_DONE));
}

TEST(TicketMachineTest, IllegalTransitionsNameTheAllowedStates) {
  absl::Status s = CheckTransition(pb::TICKET_STATE_PENDING, pb::TICKET_STATE_DONE);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("cannot go from pending to done"));
  EXPECT_THAT(s.message(), HasSubstr("allowed: in_progress, cancelled, merged"));
  s = CheckTransition(pb::TICKET_STATE_CANCELLED, pb::TICKET_STATE_IN_PROGRESS);
  EXPECT_THAT(s.message(), HasSubstr("none (final)"));
  EXPECT_FALSE(CheckTransition(pb::TICKET_STATE_CLOSED, pb::TICKET_STATE_DONE).ok());
  EXPECT_FALSE(CheckTransition(pb::TICKET_STATE_DONE, pb::TICKET_STATE_CANCELLED).ok());
  EXPECT_FALSE(CheckTransition(pb::TICKET_STATE_PENDING, pb::TICKET_STATE_PENDING).ok());
}

}  // namespace
}  // namespace fbl::workorder
