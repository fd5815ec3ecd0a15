#pragma once
// The analytics service's edges: Kafka in (classified feedback, ticket
// events, survey answers, alerts) → aggregates in Redis; the gRPC queries and
// reports; early warnings out on alerts.v1.

#include <memory>
#include <string>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "analytics/v1/analytics.grpc.pb.h"
#include "libs/calendar/business_calendar.h"
#include "libs/kafka/kafka_config.h"
#include "libs/kafka/message.h"
#include "libs/kafka/producer.h"
#include "libs/keywords/keywords.h"
#include "libs/redis/redis_config.h"
#include "libs/runtime/auth.h"
#include "libs/runtime/common_config.h"
#include "services/analytics/aggregate_store.h"
#include "services/analytics/early_warning.h"
#include "services/analytics/query_engine.h"
#include "services/analytics/report_builder.h"

namespace fbl::analytics {

struct AnalyticsConfig {
  runtime::ServerConfig server;
  std::string kafka_brokers;  // if set, used by both producer and consumer
  kafka::ProducerConfig producer;  // early warnings
  kafka::ConsumerConfig consumer;  // group "analytics"; the four topics below unless set
  redis::RedisConfig redis;
  std::string redis_key_prefix = "fbl:analytics:";
  std::string classified_topic = "feedback.classified.v1";
  std::string tickets_topic = "tickets.events.v1";
  std::string surveys_topic = "surveys.responses.v1";
  std::string alerts_topic = "alerts.v1";
  // Reporting time zone (buckets, reports) and business hours (KPI times).
  calendar::CalendarSpec calendar;
  Retention retention;
  std::string stopwords_file = "deploy/analytics/stopwords.txt";
  // Improvement plans for reports (WO-7); empty = reports without plans.
  std::string workorder_addr = "127.0.0.1:50055";
  EarlyWarningConfig early_warning;
  int consume_batch = 500;
};
void BindConfig(config::Binder& b, AnalyticsConfig& c);

class AnalyticsMetrics {
 public:
  explicit AnalyticsMetrics(prometheus::Registry& registry);
  void Record(const std::string& source, const std::string& result, double n = 1) {
    records_.Add({{"source", source}, {"result", result}}).Increment(n);
  }
  void Feedback(const std::string& channel, const std::string& intent) {
    feedback_.Add({{"channel", channel}, {"intent", intent}}).Increment();
  }
  void Survey(const std::string& channel, int csat, std::optional<int> nps);
  void TicketTimes(std::optional<double> first_response_seconds, std::optional<double> resolution_seconds);
  void Warning(const std::string& dimension) { warnings_.Add({{"dimension", dimension}}).Increment(); }
  void Query(const std::string& rpc, const std::string& code, double seconds);
  void BatchSeconds(double s) { batch_seconds_->Observe(s); }

 private:
  prometheus::Family<prometheus::Counter>& records_;
  prometheus::Family<prometheus::Counter>& feedback_;
  prometheus::Family<prometheus::Counter>& surveys_;
  prometheus::Family<prometheus::Histogram>& csat_;
  prometheus::Family<prometheus::Counter>& nps_;
  prometheus::Family<prometheus::Histogram>& ticket_seconds_;
  prometheus::Family<prometheus::Counter>& warnings_;
  prometheus::Family<prometheus::Counter>& queries_;
  prometheus::Family<prometheus::Histogram>& query_seconds_;
  prometheus::Histogram* batch_seconds_;
};

// A kafka::BatchHandler for the four input topics (dispatched by topic).
class InputProcessor {
 public:
  InputProcessor(const AnalyticsConfig& config, AggregateStore& store, const keywords::Extractor& keywords,
                 const Buckets& buckets, const calendar::BusinessCalendar& calendar, AnalyticsMetrics& metrics)
      : config_(config), store_(store), keywords_(keywords), buckets_(buckets), calendar_(calendar),
        metrics_(metrics) {}
  [[nodiscard]] absl::Status ProcessBatch(const std::vector<kafka::Message>& batch);

 private:
  const AnalyticsConfig& config_;
  AggregateStore& store_;
  const keywords::Extractor& keywords_;
  const Buckets& buckets_;
  const calendar::BusinessCalendar& calendar_;
  AnalyticsMetrics& metrics_;
};

// Publishes early warnings on alerts.v1 (key alert_id) and waits until Kafka
// confirmed every one of them.
EarlyWarning::Publish WarningPublisher(kafka::Producer& producer, const AnalyticsConfig& config,
                                       AnalyticsMetrics& metrics);

// Method → permission for AnalyticsService (auth on): every query and
// report needs analytics.read.
runtime::PermissionTable AnalyticsPermissions();

class AnalyticsGrpcService final : public pb::AnalyticsService::Service {
 public:
  AnalyticsGrpcService(QueryEngine& queries, ReportBuilder& reports, AnalyticsMetrics& metrics)
      : queries_(queries), reports_(reports), metrics_(metrics) {}
  grpc::Status GetDistribution(grpc::ServerContext*, const pb::GetDistributionRequest*,
                               pb::GetDistributionResponse*) override;
  grpc::Status GetTopProblems(grpc::ServerContext*, const pb::GetTopProblemsRequest*,
                              pb::GetTopProblemsResponse*) override;
  grpc::Status GetTrend(grpc::ServerContext*, const pb::GetTrendRequest*, pb::GetTrendResponse*) override;
  grpc::Status GetKeywords(grpc::ServerContext*, const pb::GetKeywordsRequest*, pb::GetKeywordsResponse*) override;
  grpc::Status GetSatisfaction(grpc::ServerContext*, const pb::GetSatisfactionRequest*,
                               pb::GetSatisfactionResponse*) override;
  grpc::Status GetServiceKpis(grpc::ServerContext*, const pb::GetServiceKpisRequest*,
                              pb::GetServiceKpisResponse*) override;
  grpc::Status GetCorrelation(grpc::ServerContext*, const pb::GetCorrelationRequest*,
                              pb::GetCorrelationResponse*) override;
  grpc::Status CompareMetric(grpc::ServerContext*, const pb::CompareMetricRequest*,
                             pb::CompareMetricResponse*) override;
  grpc::Status GenerateReport(grpc::ServerContext*, const pb::GenerateReportRequest*,
                              pb::GenerateReportResponse*) override;

 private:
  template <typename Req, typename Resp, typename Fn>
  grpc::Status Run(const char* rpc, const Req& req, Resp* resp, Fn fn);

  QueryEngine& queries_;
  ReportBuilder& reports_;
  AnalyticsMetrics& metrics_;
};

}  // namespace fbl::analytics
