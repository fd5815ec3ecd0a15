#pragma once
// Shared helpers for tests against the real Kafka and Redis started by
// scripts/test.sh (FBL_KAFKA_BROKERS, FBL_REDIS_ADDR).

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>
#include <thread>

#include "libs/kafka/admin.h"

namespace fbl::testing {

inline std::string RequireEnv(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') {
    ADD_FAILURE() << name << " is not set: run the integration tests through scripts/test.sh";
    return "";
  }
  return v;
}

inline std::string KafkaBrokers() { return RequireEnv("FBL_KAFKA_BROKERS"); }

// A name unique to this test run, e.g. "t.ProduceConsume.4821.a3f9".
inline std::string UniqueName(const std::string& prefix) {
  static std::mt19937_64 rng(std::random_device{}());
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  char suffix[9];
  std::snprintf(suffix, sizeof(suffix), "%08x", static_cast<unsigned>(rng()));
  return prefix + "." + (info ? info->name() : "x") + "." + std::to_string(getpid()) + "." + suffix;
}

// Creates a fresh topic and returns its name.
inline std::string CreateTopic(const std::string& prefix, int partitions) {
  std::string name = UniqueName(prefix);
  auto admin = kafka::Admin::Create(KafkaBrokers());
  EXPECT_TRUE(admin.ok()) << admin.status();
  if (!admin.ok()) return name;
  auto created = (*admin)->EnsureTopics({{name, partitions, 1, absl::Hours(1)}}, absl::Seconds(20));
  EXPECT_TRUE(created.ok()) << created.status();
  return name;
}

// Polls `condition` until it holds or `timeout` passes.
inline bool WaitFor(const std::function<bool()>& condition,
                    std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

}  // namespace fbl::testing
