#pragma once
// The workorder service's edges: Kafka in (classified feedback, alerts,
// survey answers), the outbox relay out (tickets.events.v1 and, for deadline
// breaches and unhappy customers, alerts.v1), and the gRPC API.

#include <string>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include "libs/kafka/kafka_config.h"
#include "libs/kafka/message.h"
#include "libs/kafka/producer.h"
#include "libs/redis/redis_config.h"
#include "libs/runtime/common_config.h"
#include "services/workorder/plan_store.h"
#include "services/workorder/ticket_service.h"
#include "workorder/v1/workorder.grpc.pb.h"

namespace fbl::workorder {

struct WorkorderConfig {
  runtime::ServerConfig server;
  std::string kafka_brokers;  // if set, used by both producer and consumer
  kafka::ProducerConfig producer;
  kafka::ConsumerConfig consumer;  // group "workorder"; topics: classified, alerts, surveys unless set
  redis::RedisConfig redis;
  std::string redis_key_prefix = "fbl:workorder:";
  std::string classified_topic = "feedback.classified.v1";
  std::string alerts_topic = "alerts.v1";
  std::string surveys_topic = "surveys.responses.v1";
  std::string tickets_topic = "tickets.events.v1";
  CalendarSpec calendar;
  TicketPolicy policy;
  absl::Duration scheduler_tick = absl::Seconds(1);
  absl::Duration timer_lease = absl::Seconds(30);   // a claimed timer returns if its replica dies
  absl::Duration relay_idle = absl::Seconds(30);    // unacked outbox entries move to another relay
  int consume_batch = 200;
  // Issue #10: where EraseCustomer records erasures (the stream intake writes).
  ErasureAudit erasure;  // keys erasure_audit_stream, erasure_audit_max_len
};
void BindConfig(config::Binder& b, WorkorderConfig& c);

class WorkorderMetrics {
 public:
  explicit WorkorderMetrics(prometheus::Registry& registry);
  void Input(const std::string& source, const std::string& result) {
    inputs_.Add({{"source", source}, {"result", result}}).Increment();
  }
  void Published(const std::string& type) { published_.Add({{"type", type}}).Increment(); }
  void Deadline(const std::string& what) { deadlines_.Add({{"event", what}}).Increment(); }

 private:
  prometheus::Family<prometheus::Counter>& inputs_;
  prometheus::Family<prometheus::Counter>& published_;
  prometheus::Family<prometheus::Counter>& deadlines_;
};

// A kafka::BatchHandler for the three input topics (dispatched by topic).
class InputProcessor {
 public:
  InputProcessor(const WorkorderConfig& config, TicketService& tickets, WorkorderMetrics& metrics)
      : config_(config), tickets_(tickets), metrics_(metrics) {}
  [[nodiscard]] absl::Status ProcessBatch(const std::vector<kafka::Message>& batch);

 private:
  const WorkorderConfig& config_;
  TicketService& tickets_;
  WorkorderMetrics& metrics_;
};

// Publishes the outbox: every TicketEvent to tickets.events.v1 (key ticket
// id), and an AlertEvent to alerts.v1 for deadline breaches (ALERT_KIND_DEADLINE_BREACH)
// and unhappy-survey reopens (ALERT_KIND_UNHAPPY_CUSTOMER); acknowledges
// the outbox entries only after Kafka confirmed them (at least once; ids are
// deterministic).
class OutboxRelay {
 public:
  OutboxRelay(const WorkorderConfig& config, TicketStore& store, kafka::Producer& producer, WorkorderMetrics& metrics,
              std::string consumer_name)
      : config_(config), store_(store), producer_(producer), metrics_(metrics), name_(std::move(consumer_name)) {}
  // One round: returns how many events were published.
  [[nodiscard]] absl::StatusOr<int> RunOnce(int max);

  // The alert an event raises, if any.
  static std::optional<::feedbackloop::alerting::v1::AlertEvent> AlertFor(const pb::TicketEvent& e);

 private:
  const WorkorderConfig& config_;
  TicketStore& store_;
  kafka::Producer& producer_;
  WorkorderMetrics& metrics_;
  std::string name_;
};

// Method → permission for runtime auth (libs/runtime/auth.h).
runtime::PermissionTable WorkorderPermissions();

// With auth on, the authenticated caller's name is the actor of every ticket
// change (and so of its audit entry), whatever the request's actor says.
class WorkorderGrpcService final : public pb::WorkorderService::Service {
 public:
  WorkorderGrpcService(TicketService& tickets, TicketStore& store, PlanStore& plans, Clock clock,
                       ErasureAudit erasure = {})
      : tickets_(tickets), store_(store), plans_(plans), clock_(std::move(clock)), erasure_(std::move(erasure)) {}
  grpc::Status CreateTicket(grpc::ServerContext*, const pb::CreateTicketRequest*, pb::Ticket*) override;
  grpc::Status GetTicket(grpc::ServerContext*, const pb::GetTicketRequest*, pb::Ticket*) override;
  grpc::Status ListTickets(grpc::ServerContext*, const pb::ListTicketsRequest*, pb::ListTicketsResponse*) override;
  grpc::Status TransitionTicket(grpc::ServerContext*, const pb::TransitionTicketRequest*, pb::Ticket*) override;
  grpc::Status AssignTicket(grpc::ServerContext*, const pb::AssignTicketRequest*, pb::Ticket*) override;
  grpc::Status AddComment(grpc::ServerContext*, const pb::AddCommentRequest*, pb::Ticket*) override;
  grpc::Status SetWaitingOnCustomer(grpc::ServerContext*, const pb::SetWaitingOnCustomerRequest*, pb::Ticket*) override;
  grpc::Status RecordSurvey(grpc::ServerContext*, const pb::RecordSurveyRequest*, pb::Ticket*) override;
  grpc::Status GetAuditTrail(grpc::ServerContext*, const pb::GetAuditTrailRequest*,
                             pb::GetAuditTrailResponse*) override;
  grpc::Status UpsertAgent(grpc::ServerContext*, const pb::Agent*, pb::Agent*) override;
  grpc::Status ListAgents(grpc::ServerContext*, const pb::ListAgentsRequest*, pb::ListAgentsResponse*) override;
  // WO-7: improvement plans.
  grpc::Status CreatePlan(grpc::ServerContext*, const pb::ImprovementPlan*, pb::ImprovementPlan*) override;
  grpc::Status GetPlan(grpc::ServerContext*, const pb::GetPlanRequest*, pb::ImprovementPlan*) override;
  grpc::Status ListPlans(grpc::ServerContext*, const pb::ListPlansRequest*, pb::ListPlansResponse*) override;
  grpc::Status UpdatePlan(grpc::ServerContext*, const pb::ImprovementPlan*, pb::ImprovementPlan*) override;
  grpc::Status DeletePlan(grpc::ServerContext*, const pb::DeletePlanRequest*, pb::DeletePlanResponse*) override;
  // Issue #10 ("privacy.admin").
  grpc::Status EraseCustomer(grpc::ServerContext*, const pb::EraseCustomerRequest*,
                             pb::EraseCustomerResponse*) override;

 private:
  TicketService& tickets_;
  TicketStore& store_;
  PlanStore& plans_;
  Clock clock_;
  ErasureAudit erasure_;
};

}  // namespace fbl::workorder
