#pragma once
// Test helpers for a service's PermissionTable (header-only, tests only).

#include <gtest/gtest.h>

#include <map>
#include <string>

#include <google/protobuf/descriptor.h>

#include "libs/runtime/auth.h"

namespace fbl::runtime::testing {

// Every rpc of the generated service descriptor has exactly the permission
// `expected` names (a new rpc without an entry fails), and `table` names no
// rpc that does not exist.
inline void ExpectTableCoversService(const std::string& service_full_name, const PermissionTable& table,
                                     const std::map<std::string, std::string>& expected) {
  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service_full_name);
  ASSERT_NE(service, nullptr) << service_full_name;
  EXPECT_EQ(table.size(), static_cast<size_t>(service->method_count())) << "entries for rpcs that do not exist";
  for (int i = 0; i < service->method_count(); ++i) {
    const std::string method(service->method(i)->name());
    ASSERT_EQ(table.count(method), 1u) << method << " has no permission: it would need \"*\" (admin only)";
    ASSERT_EQ(expected.count(method), 1u) << method << " is new: add its permission to this test";
    EXPECT_EQ(table.at(method), expected.at(method)) << method;
  }
}

// What a caller with only the default role `role` gets calling `method`.
inline absl::StatusCode DecideForRole(const std::string& service_full_name, const PermissionTable& table,
                                      const std::string& role, const std::string& method) {
  AuthConfig config;
  config.callers.push_back({role + "-caller", Sha256Hex("token-" + role), "", {role}});
  auto authorizer = Authorizer::Create(config);
  if (!authorizer.ok()) return authorizer.status().code();
  (*authorizer)->AddService(service_full_name, table);
  return (*authorizer)->Authorize("/" + service_full_name + "/" + method, "token-" + role, "").status().code();
}

}  // namespace fbl::runtime::testing
