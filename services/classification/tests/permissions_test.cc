// ClassificationService permissions: every rpc of the generated service descriptor has an entry with
// the expected permission (a new rpc without one fails here), and what the
// default roles may call.
#include <gtest/gtest.h>

#include <string>

#include "libs/runtime/testing/permission_table_test_util.h"
#include "services/classification/classification_service.h"

namespace fbl::classification {
namespace {

const std::string kService = pb::ClassificationService::service_full_name();

TEST(ClassificationPermissionsTest, EveryRpcOfTheServiceHasItsPermission) {
  runtime::testing::ExpectTableCoversService(kService, ClassificationPermissions(), {
      {"Classify", "feedback.read"},
      {"CorrectTags", "tags.write"},
      {"ListCorrections", "feedback.read"},
      {"ListEmergingTopics", "feedback.read"},
      {"GetTaxonomyInfo", "feedback.read"},
  });
}

// Whether a caller with only the default role `role` may call `method`.
absl::StatusCode Decide(const std::string& role, const std::string& method) {
  return runtime::testing::DecideForRole(kService, ClassificationPermissions(), role, method);
}

TEST(ClassificationPermissionsTest, DefaultRoles) {
  EXPECT_EQ(Decide("agent", "CorrectTags"), absl::StatusCode::kOk) << "agent CorrectTags";
  EXPECT_EQ(Decide("agent", "Classify"), absl::StatusCode::kOk) << "agent Classify";
  EXPECT_EQ(Decide("analyst", "Classify"), absl::StatusCode::kOk) << "analyst Classify";
  EXPECT_EQ(Decide("analyst", "ListEmergingTopics"), absl::StatusCode::kOk) << "analyst ListEmergingTopics";
  EXPECT_EQ(Decide("analyst", "CorrectTags"), absl::StatusCode::kPermissionDenied) << "analyst CorrectTags";
  EXPECT_EQ(Decide("supervisor", "CorrectTags"), absl::StatusCode::kOk) << "supervisor CorrectTags";
  EXPECT_EQ(Decide("connector", "Classify"), absl::StatusCode::kPermissionDenied) << "connector Classify";
  EXPECT_EQ(Decide("connector", "CorrectTags"), absl::StatusCode::kPermissionDenied) << "connector CorrectTags";
}

}  // namespace
}  // namespace fbl::classification
