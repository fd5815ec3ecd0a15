#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace fbl::kafka {

struct TopicSpec {
  std::string name;
  int partitions = 1;
  int replication_factor = 1;
  absl::Duration retention = absl::InfiniteDuration();  // infinite: broker default
};

// Cluster administration: topics and readiness.
class Admin {
 public:
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Admin>> Create(const std::string& brokers);
  ~Admin();

  // Creates the topics that do not exist; existing ones are left as they are.
  // Returns the names actually created.
  [[nodiscard]] absl::StatusOr<std::vector<std::string>> EnsureTopics(
      const std::vector<TopicSpec>& topics, absl::Duration timeout);

  // The effective configs of `topic` (name -> value, broker defaults
  // included); NOT_FOUND if it does not exist.
  [[nodiscard]] absl::StatusOr<std::map<std::string, std::string>> TopicConfigs(const std::string& topic,
                                                                              absl::Duration timeout);

  // One config of an existing topic that differs from what is wanted.
  struct ConfigChange {
    std::string topic, key;
    std::string old_value;  // the effective value, e.g. the broker default
    std::string new_value;
  };
  // Makes the configs of existing topics match `wanted` (topic -> name ->
  // value): returns the differences and, with `apply`, sets them. Topics
  // that do not exist are skipped. The topics' other overrides are kept
  // (AlterConfigs replaces a topic's whole override set, so they are sent
  // along).
  [[nodiscard]] absl::StatusOr<std::vector<ConfigChange>> AlignTopicConfigs(
      const std::map<std::string, std::map<std::string, std::string>>& wanted, bool apply, absl::Duration timeout);

  // Names of the topics in the cluster.
  [[nodiscard]] absl::StatusOr<std::vector<std::string>> ListTopics(absl::Duration timeout);

  // Partition count of `topic`, NOT_FOUND if it does not exist.
  [[nodiscard]] absl::StatusOr<int> PartitionCount(const std::string& topic,
                                                   absl::Duration timeout);

 private:
  struct Impl;
  explicit Admin(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Proves the cluster works end to end: creates `topic` (1 partition) if
// needed, produces a unique record and reads it back. Retries until
// `timeout`; UNAVAILABLE with the last cause if it never succeeds.
[[nodiscard]] absl::Status CheckRoundTrip(const std::string& brokers, const std::string& topic,
                                          absl::Duration timeout);

}  // namespace fbl::kafka
