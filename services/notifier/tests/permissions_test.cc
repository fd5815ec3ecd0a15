// NotifierService permissions: every rpc of the generated service descriptor has an entry with
// the expected permission (a new rpc without one fails here), and what the
// default roles may call.
#include <gtest/gtest.h>

#include <string>

#include "libs/runtime/testing/permission_table_test_util.h"
#include "services/notifier/notifier_service.h"

namespace fbl::notifier {
namespace {

const std::string kService = pb::NotifierService::service_full_name();

TEST(NotifierPermissionsTest, EveryRpcOfTheServiceHasItsPermission) {
  runtime::testing::ExpectTableCoversService(kService, NotifierPermissions(), {
      {"ListDeliveries", "alert.read"},
  });
}

// Whether a caller with only the default role `role` may call `method`.
absl::StatusCode Decide(const std::string& role, const std::string& method) {
  return runtime::testing::DecideForRole(kService, NotifierPermissions(), role, method);
}

TEST(NotifierPermissionsTest, DefaultRoles) {
  EXPECT_EQ(Decide("analyst", "ListDeliveries"), absl::StatusCode::kOk) << "analyst ListDeliveries";
  EXPECT_EQ(Decide("agent", "ListDeliveries"), absl::StatusCode::kOk) << "agent ListDeliveries";
  EXPECT_EQ(Decide("supervisor", "ListDeliveries"), absl::StatusCode::kOk) << "supervisor ListDeliveries";
  EXPECT_EQ(Decide("connector", "ListDeliveries"), absl::StatusCode::kPermissionDenied) << "connector ListDeliveries";
}

}  // namespace
}  // namespace fbl::notifier
