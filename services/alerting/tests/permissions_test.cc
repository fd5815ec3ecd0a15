// AlertingService permissions: every rpc of the generated service descriptor has an entry with
// the expected permission (a new rpc without one fails here), and what the
// default roles may call.
#include <gtest/gtest.h>

#include <string>

#include "libs/runtime/testing/permission_table_test_util.h"
#include "services/alerting/alerting_service.h"

namespace fbl::alerting {
namespace {

const std::string kService = pb::AlertingService::service_full_name();

TEST(AlertingPermissionsTest, EveryRpcOfTheServiceHasItsPermission) {
  runtime::testing::ExpectTableCoversService(kService, AlertingPermissions(), {
      {"ListAlerts", "alert.read"},
      {"GetAlert", "alert.read"},
      {"AcknowledgeAlert", "alert.write"},
      {"ResolveAlert", "alert.write"},
      {"RecordCustomerContact", "alert.write"},
  });
}

// Whether a caller with only the default role `role` may call `method`.
absl::StatusCode Decide(const std::string& role, const std::string& method) {
  return runtime::testing::DecideForRole(kService, AlertingPermissions(), role, method);
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
