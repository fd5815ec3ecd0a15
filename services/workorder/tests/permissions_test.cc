// WorkorderService permissions: every rpc of the generated service descriptor has an entry with
// the expected permission (a new rpc without one fails here), and what the
// default roles may call.
#include <gtest/gtest.h>

#include <string>

#include "libs/runtime/testing/permission_table_test_util.h"
#include "services/workorder/workorder_service.h"

namespace fbl::workorder {
namespace {

const std::string kService = pb::WorkorderService::service_full_name();

TEST(WorkorderPermissionsTest, EveryRpcOfTheServiceHasItsPermission) {
  runtime::testing::ExpectTableCoversService(kService, WorkorderPermissions(), {
      {"CreateTicket", "ticket.write"},
      {"GetTicket", "ticket.read"},
      {"ListTickets", "ticket.read"},
      {"TransitionTicket", "ticket.write"},
      {"AssignTicket", "ticket.write"},
      {"AddComment", "ticket.write"},
      {"SetWaitingOnCustomer", "ticket.write"},
      {"RecordSurvey", "ticket.write"},
      {"GetAuditTrail", "ticket.read"},
      {"UpsertAgent", "ticket.admin"},
      {"ListAgents", "ticket.read"},
      {"CreatePlan", "ticket.admin"},
      {"GetPlan", "ticket.read"},
      {"ListPlans", "ticket.read"},
      {"UpdatePlan", "ticket.admin"},
      {"DeletePlan", "ticket.admin"},
      {"EraseCustomer", "privacy.admin"},
  });
}

// Whether a caller with only the default role `role` may call `method`.
absl::StatusCode Decide(const std::string& role, const std::string& method) {
  return runtime::testing::DecideForRole(kService, WorkorderPermissions(), role, method);
}

TEST(WorkorderPermissionsTest, DefaultRoles) {
  EXPECT_EQ(Decide("agent", "CreateTicket"), absl::StatusCode::kOk) << "agent CreateTicket";
  EXPECT_EQ(Decide("agent", "UpsertAgent"), absl::StatusCode::kPermissionDenied) << "agent UpsertAgent";
  EXPECT_EQ(Decide("analyst", "GetAuditTrail"), absl::StatusCode::kOk) << "analyst GetAuditTrail";
  EXPECT_EQ(Decide("analyst", "CreateTicket"), absl::StatusCode::kPermissionDenied) << "analyst CreateTicket";
  EXPECT_EQ(Decide("supervisor", "CreatePlan"), absl::StatusCode::kOk) << "supervisor CreatePlan";
  EXPECT_EQ(Decide("connector", "GetTicket"), absl::StatusCode::kPermissionDenied) << "connector GetTicket";
  EXPECT_EQ(Decide("agent", "EraseCustomer"), absl::StatusCode::kPermissionDenied) << "agent EraseCustomer";
  EXPECT_EQ(Decide("supervisor", "EraseCustomer"), absl::StatusCode::kPermissionDenied) << "supervisor EraseCustomer";
  EXPECT_EQ(Decide("admin", "EraseCustomer"), absl::StatusCode::kOk) << "admin EraseCustomer";
}

}  // namespace
}  // namespace fbl::workorder
