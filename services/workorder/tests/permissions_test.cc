// WorkorderService permissions: every rpc of the generated service descriptor has an entry with
// the expected permission (a new rpc without one fails here), and what the
// default roles may call.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include <google/protobuf/descriptor.h>

#include "libs/runtime/auth.h"
#include "services/workorder/workorder_service.h"

namespace fbl::workorder {
namespace {

const std::string kService = pb::WorkorderService::service_full_name();

TEST(WorkorderPermissionsTest, EveryRpcOfTheServiceHasItsPermission) {
  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(kService);
  ASSERT_NE(service, nullptr) << kService;
  const std::map<std::string, std::string> expected = {
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
  };
  const runtime::PermissionTable table = WorkorderPermissions();
  EXPECT_EQ(table.size(), static_cast<size_t>(service->method_count())) << "entries for rpcs that do not exist";
  for (int i = 0; i < service->method_count(); ++i) {
    const std::string method(service->method(i)->name());
    ASSERT_EQ(table.count(method), 1u) << method << " has no permission: it would need \"*\" (admin only)";
    ASSERT_EQ(expected.count(method), 1u) << method << " is new: add its permission to this test";
    EXPECT_EQ(table.at(method), expected.at(method)) << method;
  }
}

// Whether a caller with only the default role `role` may call `method`.
absl::StatusCode Decide(const std::string& role, const std::string& method) {
  runtime::AuthConfig config;
  config.callers.push_back({role + "-caller", runtime::Sha256Hex("token-" + role), "", {role}});
  auto authorizer = runtime::Authorizer::Create(config);
  if (!authorizer.ok()) return authorizer.status().code();
  (*authorizer)->AddService(kService, WorkorderPermissions());
  return (*authorizer)->Authorize("/" + kService + "/" + method, "token-" + role, "").status().code();
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
