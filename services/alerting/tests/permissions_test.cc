// AlertingService permissions: every rpc of the generated service descriptor has an entry with
// the expected permission (a new rpc without one fails here), and what the
// default roles may call.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include <google/protobuf/descriptor.h>

#include "libs/runtime/auth.h"
#include "services/alerting/alerting_service.h"

namespace fbl::alerting {
namespace {

const std::string kService = pb::AlertingService::service_full_name();

TEST(AlertingPermissionsTest, EveryRpcOfTheServiceHasItsPermission) {
  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(kService);
  ASSERT_NE(service, nullptr) << kService;
  const std::map<std::string, std::string> expected = {
      {"ListAlerts", "alert.read"},
      {"GetAlert", "alert.read"},
      {"AcknowledgeAlert", "alert.write"},
      {"ResolveAlert", "alert.write"},
      {"RecordCustomerContact", "alert.write"},
  };
  const runtime::PermissionTable table = AlertingPermissions();
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
  (*authorizer)->AddService(kService, AlertingPermissions());
  return (*authorizer)->Authorize("/" + kService + "/" + method, "token-" + role, "").status().code();
}

TEST(AlertingPermissionsTest, DefaultRoles) {
  EXPECT_EQ(Decide("analyst", "ListAlerts"), absl::StatusCode::kOk) << "analyst ListAlerts";
  EXPECT_EQ(Decide("analyst", "GetAlert"), absl::StatusCode::kOk) << "analyst GetAlert";
  EXPECT_EQ(Decide("analyst", "AcknowledgeAlert"), absl::StatusCode::kPermissionDenied) << "analyst AcknowledgeAlert";
  EXPECT_EQ(Decide("analyst", "ResolveAlert"), absl::StatusCode::kPermissionDenied) << "analyst ResolveAlert";
  EXPECT_EQ(Decide("agent", "AcknowledgeAlert"), absl::StatusCode::kOk) << "agent AcknowledgeAlert";
  EXPECT_EQ(Decide("agent", "ResolveAlert"), absl::StatusCode::kOk) << "agent ResolveAlert";
  EXPECT_EQ(Decide("agent", "RecordCustomerContact"), absl::StatusCode::kOk) << "agent RecordCustomerContact";
  EXPECT_EQ(Decide("supervisor", "ResolveAlert"), absl::StatusCode::kOk) << "supervisor ResolveAlert";
  EXPECT_EQ(Decide("connector", "ListAlerts"), absl::StatusCode::kPermissionDenied) << "connector ListAlerts";
  EXPECT_EQ(Decide("connector", "AcknowledgeAlert"), absl::StatusCode::kPermissionDenied) << "connector AcknowledgeAlert";
  EXPECT_EQ(Decide("admin", "ResolveAlert"), absl::StatusCode::kOk) << "admin ResolveAlert";
}

}  // namespace
}  // namespace fbl::alerting
