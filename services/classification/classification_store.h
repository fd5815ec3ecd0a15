#pragma once
// What the classification service keeps in Redis besides impact counts:
//
//   <prefix>fb:<feedback id>     the normalised text and rule L3 codes of each
//                                classified record (for corrections), TTL
//                                `feedback_ttl`
//   <prefix>unexplained          stream of records no L3 tag explains (for
//                                emerging topics), capped at `unexplained_max`
//   <prefix>corr:<id>            one correction (pb::Correction + text snapshot)
//   <prefix>corrections          index of correction ids (UUIDv7: time order)
//   <prefix>corr_latest          feedback id -> its latest correction id
//   <prefix>topics               the last emerging-topics result
//   <prefix>topics:lease         which replica computes topics now
//
// Corrections are kept forever (they are training data); everything else
// expires or is capped.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "classification/v1/classification.pb.h"
#include "libs/redis/redis_client.h"
#include "libs/runtime/config.h"
#include "services/classification/topics.h"

namespace fbl::classification {

struct StoreOptions {
  absl::Duration feedback_ttl = absl::Hours(24 * 30);
  int unexplained_max = 20000;
};
void BindConfig(config::Binder& b, StoreOptions& c);

class ClassificationStore {
 public:
  ClassificationStore(redis::Client& redis, std::string prefix, StoreOptions options)
      : redis_(redis), prefix_(std::move(prefix)), options_(options) {}

  struct Seen {
    std::string feedback_id;
    std::string normalized;
    std::vector<std::string> l3;  // rule/model L3 codes given
    absl::Time at;
  };
  // Keeps every record of a batch (one pipelined round trip); records without
  // L3 codes also go on the unexplained stream.
  [[nodiscard]] absl::Status Remember(const std::vector<Seen>& batch);
  // nullopt when unknown or expired.
  [[nodiscard]] absl::StatusOr<std::optional<Seen>> Find(const std::string& feedback_id);

  // Stores a correction (correction_id and corrected_at must be set) with the
  // text it corrects.
  [[nodiscard]] absl::Status AddCorrection(const ::feedbackloop::classification::v1::Correction& c,
                                           const std::string& normalized);
  // Oldest first, after `page_token` (a correction id; empty = from the start).
  struct Page {
    std::vector<::feedbackloop::classification::v1::Correction> corrections;
    std::string next_page_token;  // empty at the end
  };
  [[nodiscard]] absl::StatusOr<Page> ListCorrections(const std::string& page_token, int page_size);
  // The latest correction of every corrected feedback, with its text.
  struct Labelled {
    ::feedbackloop::classification::v1::Correction correction;
    std::string normalized;
  };
  [[nodiscard]] absl::StatusOr<std::vector<Labelled>> LatestCorrections();

  // Unexplained records received at or after `since`, at most `max` (newest kept).
  [[nodiscard]] absl::StatusOr<std::vector<TopicDoc>> Unexplained(absl::Time since, int max);
  // Whether `owner` holds the topics lease now (taken if free).
  [[nodiscard]] absl::StatusOr<bool> LeadTopics(const std::string& owner, absl::Duration lease);
  [[nodiscard]] absl::Status SaveTopics(const ::feedbackloop::classification::v1::ListEmergingTopicsResponse& topics);
  [[nodiscard]] absl::StatusOr<::feedbackloop::classification::v1::ListEmergingTopicsResponse> LoadTopics();

 private:
  redis::Client& redis_;
  std::string prefix_;
  StoreOptions options_;
};

}  // namespace fbl::classification
