// ClassificationService permissions: every rpc of the generated service descriptor has an entry with
// the expected permission (a new rpc without one fails here), and what the
// default roles may call.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include <google/protobuf/descriptor.h>

#include "libs/runtime/auth.h"
#include "services/classification/classification_service.h"

namespace fbl::classification {
namespace {

const std::string kService = pb::ClassificationService::service_full_name();

TEST(ClassificationPermissionsTest, EveryRpcOfTheServiceHasItsPermission) {
  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(kService);
  ASSERT_NE(service, nullptr) << kService;
  const std::map<std::string, std::string> expected = {
      {"Classify", "feedback.read"},
      {"CorrectTags", "tags.write"},
      {"ListCorrections", "feedback.read"},
      {"ListEmergingTopics", "feedback.read"},
      {"GetTaxonomyInfo", "feedback.read"},
  };
  const runtime::PermissionTable table = ClassificationPermissions();
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
  (*authorizer)->AddService(kService, ClassificationPermissions());
  return (*authorizer)->Authorize("/" + kService + "/" + method, "token-" + role, "").status().code();
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
