#pragma once
// The analytics aggregates in Redis. Keys (prefix `fbl:analytics:`):
//
//   seen:f:<feedback id>, seen:s:<response id>, seen:a:<alert id>
//                          applied markers: redelivery changes nothing
//   c:h:<YYYYMMDDHH>, c:d:<YYYYMMDD>
//                          counter hashes per local hour / day (fields in dimensions.h)
//   u:<YYYYMMDD>:<field>   HyperLogLog of customer pseudonyms per day and field
//   kw:<YYYYMMDD>          keyword counts per day (sorted set)
//   f:<YYYYMMDD>           feedback facts per day (hash id → FeedbackFact)
//   s:<YYYYMMDD>           survey facts per day (hash id → SurveyFact)
//   t:<ticket id>          latest ticket snapshot (hash: v = version, data = Ticket)
//   tc:<YYYYMMDD>          ids of the tickets created that day
//   names                  tag code → display name
//   ew:*                   early-warning lease and state (early_warning.h)
//
// Each record is applied by a Lua script (atomic) together with its applied
// marker, so a crash or redelivery never counts twice; feedback goes in one
// script call per batch, its increments summed per field before writing.
// Hour keys expire after `hour_retention`, everything per day after
// `day_retention`.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "analytics/v1/facts.pb.h"
#include "libs/redis/redis_client.h"
#include "libs/runtime/config.h"
#include "workorder/v1/workorder.pb.h"

namespace fbl::analytics {

struct Retention {
  absl::Duration hours = absl::Hours(24 * 92);
  absl::Duration days = absl::Hours(24 * 800);
};
void BindConfig(config::Binder& b, Retention& c);

using Counts = absl::flat_hash_map<std::string, int64_t>;

class AggregateStore {
 public:
  AggregateStore(redis::Client& redis, std::string prefix, Retention retention)
      : redis_(redis), prefix_(std::move(prefix)), retention_(retention) {}

  struct FeedbackWrite {
    ::feedbackloop::analytics::v1::FeedbackFact fact;
    std::string hour, day;                                     // bucket labels
    std::vector<std::string> fields;                           // counter fields
    std::vector<std::string> distinct_fields;                  // HyperLogLog fields
    std::vector<std::pair<std::string, std::string>> names;    // tag code → name
  };
  // One script call for the batch. Returns, per write, whether it was new.
  [[nodiscard]] absl::StatusOr<std::vector<bool>> AddFeedback(const std::vector<FeedbackWrite>& batch);

  struct SurveyWrite {
    ::feedbackloop::analytics::v1::SurveyFact fact;
    std::string day;
  };
  [[nodiscard]] absl::StatusOr<std::vector<bool>> AddSurveys(const std::vector<SurveyWrite>& batch);

  struct AlertWrite {
    std::string alert_id, hour, day, kind;  // kind: AlertKind name
  };
  [[nodiscard]] absl::StatusOr<std::vector<bool>> AddAlerts(const std::vector<AlertWrite>& batch);

  struct TicketWrite {
    ::feedbackloop::workorder::v1::Ticket ticket;
    std::string created_day;
  };
  // Keeps the newest version of each ticket. Per write: nullopt when the
  // stored version was as new already, else the previous snapshot (empty
  // Ticket when there was none).
  [[nodiscard]] absl::StatusOr<std::vector<std::optional<::feedbackloop::workorder::v1::Ticket>>> PutTickets(
      const std::vector<TicketWrite>& batch);

  // Reads. Missing keys read as empty.
  [[nodiscard]] absl::StatusOr<Counts> SumHours(const std::vector<std::string>& hours);
  [[nodiscard]] absl::StatusOr<Counts> SumDays(const std::vector<std::string>& days);
  // Per bucket, in order: hour labels when `hours`, else day labels.
  [[nodiscard]] absl::StatusOr<std::vector<Counts>> EachBucket(const std::vector<std::string>& labels, bool hours);
  // Distinct customers of `field` over the days (union).
  [[nodiscard]] absl::StatusOr<int64_t> Distinct(const std::vector<std::string>& days, const std::string& field);
  // The same for several fields in one round trip, in order.
  [[nodiscard]] absl::StatusOr<std::vector<int64_t>> DistinctMany(const std::vector<std::string>& days,
                                                                  const std::vector<std::string>& fields);
  [[nodiscard]] absl::StatusOr<std::vector<::feedbackloop::analytics::v1::FeedbackFact>> Facts(
      const std::vector<std::string>& days);
  [[nodiscard]] absl::StatusOr<std::vector<::feedbackloop::analytics::v1::SurveyFact>> Surveys(
      const std::vector<std::string>& days);
  [[nodiscard]] absl::StatusOr<Counts> Keywords(const std::vector<std::string>& days);
  [[nodiscard]] absl::StatusOr<std::vector<::feedbackloop::workorder::v1::Ticket>> TicketsCreated(
      const std::vector<std::string>& days);
  [[nodiscard]] absl::StatusOr<absl::flat_hash_map<std::string, ::feedbackloop::workorder::v1::Ticket>> Tickets(
      const std::vector<std::string>& ticket_ids);
  [[nodiscard]] absl::StatusOr<absl::flat_hash_map<std::string, std::string>> Names(
      const std::vector<std::string>& codes);

  // Early warning: a lease (true when `owner` holds it, renewed) and its
  // state (one hash: name → value).
  [[nodiscard]] absl::StatusOr<bool> Lead(const std::string& owner, absl::Duration lease);
  [[nodiscard]] absl::StatusOr<absl::flat_hash_map<std::string, std::string>> LoadState();
  // Replaces the state with `state` (names missing from it are deleted).
  [[nodiscard]] absl::Status SaveState(const absl::flat_hash_map<std::string, std::string>& state);

  const std::string& prefix() const { return prefix_; }

 private:
  redis::Client& redis_;
  const std::string prefix_;
  const Retention retention_;
};

}  // namespace fbl::analytics
