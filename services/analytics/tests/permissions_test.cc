// AnalyticsService permissions: every rpc of the generated service descriptor has an entry with
// the expected permission (a new rpc without one fails here), and what the
// default roles may call.
#include <gtest/gtest.h>

#include <string>

#include "libs/runtime/testing/permission_table_test_util.h"
#include "services/analytics/analytics_service.h"

namespace fbl::analytics {
namespace {

const std::string kService = pb::AnalyticsService::service_full_name();

TEST(AnalyticsPermissionsTest, EveryRpcOfTheServiceHasItsPermission) {
  runtime::testing::ExpectTableCoversService(kService, AnalyticsPermissions(), {
      {"GetDistribution", "analytics.read"},
      {"GetTopProblems", "analytics.read"},
      {"GetTrend", "analytics.read"},
      {"GetKeywords", "analytics.read"},
      {"GetSatisfaction", "analytics.read"},
      {"GetServiceKpis", "analytics.read"},
      {"GetCorrelation", "analytics.read"},
      {"CompareMetric", "analytics.read"},
      {"GenerateReport", "analytics.read"},
  });
}

// Whether a caller with only the default role `role` may call `method`.
absl::StatusCode Decide(const std::string& role, const std::string& method) {
  return runtime::testing::DecideForRole(kService, AnalyticsPermissions(), role, method);
}

TEST(AnalyticsPermissionsTest, DefaultRoles) {
  EXPECT_EQ(Decide("analyst", "GetTopProblems"), absl::StatusCode::kOk) << "analyst GetTopProblems";
  EXPECT_EQ(Decide("analyst", "GenerateReport"), absl::StatusCode::kOk) << "analyst GenerateReport";
  EXPECT_EQ(Decide("supervisor", "GetTrend"), absl::StatusCode::kOk) << "supervisor GetTrend";
  EXPECT_EQ(Decide("admin", "CompareMetric"), absl::StatusCode::kOk) << "admin CompareMetric";
  EXPECT_EQ(Decide("agent", "GetTopProblems"), absl::StatusCode::kPermissionDenied) << "agent GetTopProblems";
  EXPECT_EQ(Decide("connector", "GetTopProblems"), absl::StatusCode::kPermissionDenied) << "connector GetTopProblems";
  EXPECT_EQ(Decide("connector", "GenerateReport"), absl::StatusCode::kPermissionDenied) << "connector GenerateReport";
}

}  // namespace
}  // namespace fbl::analytics
