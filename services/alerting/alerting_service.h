#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include "absl/status/statusor.h"
#include "alerting/v1/alerting.grpc.pb.h"
#include "libs/kafka/message.h"
#include "libs/kafka/producer.h"
#include "libs/redalert/reloader.h"
#include "libs/runtime/auth.h"
#include "services/alerting/alert_policy.h"
#include "services/alerting/alert_store.h"
#include "services/alerting/alerting_config.h"

namespace fbl::alerting {

using Clock = std::function<absl::Time()>;

// Metrics, declared once.
class AlertingMetrics {
 public:
  explicit AlertingMetrics(prometheus::Registry& registry);
  void Feedback(const std::string& result) { feedback_.Add({{"result", result}}).Increment(); }
  void Alert(pb::AlertCategory c, pb::Severity s) {
    alerts_.Add({{"category", pb::AlertCategory_Name(c)}, {"severity", pb::Severity_Name(s)}}).Increment();
  }
  void Event(pb::AlertEventType t) { events_.Add({{"type", pb::AlertEventType_Name(t)}}).Increment(); }
  void RulesReload(bool ok) { reloads_.Add({{"result", ok ? "ok" : "refused"}}).Increment(); }

 private:
  prometheus::Family<prometheus::Counter>& feedback_;
  prometheus::Family<prometheus::Counter>& alerts_;
  prometheus::Family<prometheus::Counter>& events_;
  prometheus::Family<prometheus::Counter>& reloads_;
};

// Publishes alert events on alerts.v1 (key = alert id) and waits for them.
class EventPublisher {
 public:
  EventPublisher(kafka::Producer& producer, std::string topic, AlertingMetrics& metrics)
      : producer_(producer), topic_(std::move(topic)), metrics_(metrics) {}
  // event_id is deterministic (alert id + what happened), so consumers can
  // drop a re-published copy.
  static pb::AlertEvent Make(pb::AlertEventType type, const pb::Alert& alert, const std::string& actor,
                             absl::Time now, const std::string& event_suffix);
  [[nodiscard]] absl::Status Publish(const std::vector<pb::AlertEvent>& events, absl::Duration timeout);

 private:
  kafka::Producer& producer_;
  std::string topic_;
  AlertingMetrics& metrics_;
};

// Red alerts from accepted feedback (ALR-1): one alert per feedback, its
// RAISED event published exactly once per alert id even under redelivery.
class AlertProcessor {
 public:
  AlertProcessor(const AlertingConfig& config, redalert::RuleReloader& rules, AlertStore& store,
                 EventPublisher& publisher, AlertingMetrics& metrics, Clock clock)
      : config_(config), rules_(rules), store_(store), publisher_(publisher), metrics_(metrics),
        clock_(std::move(clock)) {}

  // A kafka::BatchHandler for feedback.accepted.v1.
  [[nodiscard]] absl::Status ProcessBatch(const std::vector<kafka::Message>& batch);

 private:
  const AlertingConfig& config_;
  redalert::RuleReloader& rules_;
  AlertStore& store_;
  EventPublisher& publisher_;
  AlertingMetrics& metrics_;
  Clock clock_;
};

// Escalation (ALR-3, ALR-5): an alert not acknowledged in time goes to the
// next tier; a missed customer-contact promise goes to management. Safe with
// several replicas (each timer is leased to one) and across restarts.
class EscalationScheduler {
 public:
  EscalationScheduler(const AlertingConfig& config, AlertStore& store, EventPublisher& publisher, Clock clock)
      : config_(config), store_(store), publisher_(publisher), clock_(std::move(clock)) {}

  // Fires every due timer once; returns how many fired.
  [[nodiscard]] absl::StatusOr<int> Tick();

 private:
  [[nodiscard]] absl::Status Fire(const std::string& timer);

  const AlertingConfig& config_;
  AlertStore& store_;
  EventPublisher& publisher_;
  Clock clock_;
};

// Method → permission for AlertingService (auth on): reads need alert.read,
// acknowledge, resolve and customer contact alert.write.
runtime::PermissionTable AlertingPermissions();

// gRPC: list, get, acknowledge, resolve, record customer contact. With auth
// on, the authenticated caller is the actor whatever the request names.
class AlertingGrpcService final : public pb::AlertingService::Service {
 public:
  AlertingGrpcService(AlertStore& store, EventPublisher& publisher, Clock clock)
      : store_(store), publisher_(publisher), clock_(std::move(clock)) {}

  grpc::Status ListAlerts(grpc::ServerContext*, const pb::ListAlertsRequest*, pb::ListAlertsResponse*) override;
  grpc::Status GetAlert(grpc::ServerContext*, const pb::GetAlertRequest*, pb::Alert*) override;
  grpc::Status AcknowledgeAlert(grpc::ServerContext*, const pb::AcknowledgeAlertRequest*, pb::Alert*) override;
  grpc::Status ResolveAlert(grpc::ServerContext*, const pb::ResolveAlertRequest*, pb::Alert*) override;
  grpc::Status RecordCustomerContact(grpc::ServerContext*, const pb::RecordCustomerContactRequest*,
                                     pb::Alert*) override;

 private:
  // Reads, lets `change` edit a copy (or refuse), stores it with `remove`
  // timers dropped, publishes the event `type`. Retries on a concurrent change.
  grpc::Status Change(const std::string& alert_id, const std::string& actor, pb::AlertEventType type,
                      const std::function<grpc::Status(pb::Alert&)>& change,
                      const std::vector<std::string>& remove, pb::Alert* out);

  AlertStore& store_;
  EventPublisher& publisher_;
  Clock clock_;
};

// The dry run for rule authors: JSON lines {"id","text"} in, one line
// {"id","alert","category","severity","evidence","suppressed"} out per input.
// Returns the number of input lines that were not valid JSON objects.
int RunCheck(const redalert::Matcher& matcher, std::istream& in, std::ostream& out);

}  // namespace fbl::alerting
