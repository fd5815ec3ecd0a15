#pragma once

#include <deque>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "alerting/v1/alerting.pb.h"
#include "alerting/v1/notifier.grpc.pb.h"
#include "libs/kafka/message.h"
#include "libs/runtime/auth.h"
#include "services/notifier/channels.h"
#include "services/notifier/delivery_store.h"
#include "services/notifier/notifier_config.h"
#include "services/notifier/oncall.h"
#include "services/notifier/storm_store.h"

namespace fbl::notifier {

namespace pb = ::feedbackloop::alerting::v1;

// Waits up to `d`; false when the service is stopping (stop waiting, give up).
using Sleeper = std::function<bool(absl::Duration)>;

// Metrics, declared once. Labels are bounded (types, channels, results).
class NotifierMetrics {
 public:
  explicit NotifierMetrics(prometheus::Registry& registry);
  // result: paged, grouped, ignored, closed, unrouted, invalid.
  void Event(const std::string& type, const std::string& result) {
    events_.Add({{"type", type}, {"result", result}}).Increment();
  }
  // result: sent, failed, grouped, duplicate, cancelled.
  void Delivery(std::string_view channel, const std::string& result) {
    deliveries_.Add({{"channel", std::string(channel)}, {"result", result}}).Increment();
  }
  // result: ok, retryable, permanent.
  void Attempt(ChannelType channel, const std::string& result, absl::Duration took);
  void RateLimited(ChannelType channel) {
    rate_limited_.Add({{"channel", std::string(ChannelTypeName(channel))}}).Increment();
  }
  void StormSummary() { storm_summaries_.Add({}).Increment(); }

 private:
  prometheus::Family<prometheus::Counter>& events_;
  prometheus::Family<prometheus::Counter>& deliveries_;
  prometheus::Family<prometheus::Counter>& attempts_;
  prometheus::Family<prometheus::Histogram>& send_seconds_;
  prometheus::Family<prometheus::Counter>& rate_limited_;
  prometheus::Family<prometheus::Counter>& storm_summaries_;
};

// Fans alert events out to on-call people (ALR-2): routing and on-call
// schedules choose the people, storms are grouped, and each person gets one
// page per event over their channels, with retries, backoff, rate limits and
// fallback. See delivery_store.h for the exactly-once argument.
class Notifier {
 public:
  // `instance_id` names this process in delivery leases; unique per process.
  Notifier(const NotifierConfig& config, const OnCallDirectory& directory, DeliveryStore& deliveries,
           StormStore& storms, ChannelSet& channels, NotifierMetrics& metrics, Clock clock, Sleeper sleep,
           std::string instance_id);

  // A kafka::BatchHandler for alerts.v1: OK once every page of the batch is
  // settled (sent, failed for good, or grouped).
  [[nodiscard]] absl::Status ProcessBatch(const std::vector<kafka::Message>& batch);

  // A kafka::BatchHandler for alerts.v1 that only records acknowledgements
  // and resolutions, so pages still being retried stop (run on its own
  // consumer group: the paging loop may be busy retrying).
  [[nodiscard]] absl::Status RecordClosures(const std::vector<kafka::Message>& batch);

  // Sends the summary of every storm window that has closed; returns how
  // many windows were handled.
  [[nodiscard]] absl::StatusOr<int> FlushStorms();

  // Which event types page people: RAISED, ESCALATED, CONTACT_BREACHED.
  static bool Pages(pb::AlertEventType type);
  // ACKNOWLEDGED or RESOLVED: retries of the alert's pages stop.
  static bool Closes(pb::AlertEventType type);
  // The page for an event (the service edge: proto → domain).
  static Page PageFor(const pb::AlertEvent& event);

 private:
  struct Job {
    DeliveryKey key;
    const Person* person = nullptr;
    const Page* page = nullptr;
    bool grouped = false;
  };
  [[nodiscard]] absl::Status RunJobs(const std::vector<Job>& jobs);
  [[nodiscard]] absl::Status Deliver(const Job& job);
  [[nodiscard]] absl::Status Send(const Job& job, const std::string& owner, const DeliveryRecord& record);
  [[nodiscard]] absl::Status MarkClosed(const pb::AlertEvent& event);
  // Stops a delivery on shutdown: hands the lease back for whoever is next.
  absl::Status Stopping(const Job& job, const std::string& owner);
  double Uniform();

  const NotifierConfig& config_;
  const OnCallDirectory& directory_;
  DeliveryStore& deliveries_;
  StormStore& storms_;
  ChannelSet& channels_;
  NotifierMetrics& metrics_;
  Clock clock_;
  Sleeper sleep_;
  std::string instance_id_;

  std::mutex mu_;
  std::mt19937_64 rng_;  // guarded by mu_
  // Sent, but recording that in Redis failed: recorded on the retry instead
  // of sending again (guarded by mu_).
  absl::flat_hash_map<std::string, absl::Time> unrecorded_;
};

// Method → permission for NotifierService (auth on): ListDeliveries needs
// alert.read.
runtime::PermissionTable NotifierPermissions();

// gRPC: delivery status of an alert.
class NotifierGrpcService final : public pb::NotifierService::Service {
 public:
  explicit NotifierGrpcService(DeliveryStore& store) : store_(store) {}
  grpc::Status ListDeliveries(grpc::ServerContext*, const pb::ListDeliveriesRequest*,
                              pb::ListDeliveriesResponse*) override;

 private:
  DeliveryStore& store_;
};

pb::DeliveryChannel ToProto(std::string_view channel_name);
pb::DeliveryState ToProto(DeliveryState state);

}  // namespace fbl::notifier
