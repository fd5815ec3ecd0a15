#include "services/analytics/analytics_service.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "alerting/v1/alerting.pb.h"
#include "classification/v1/classification.pb.h"
#include "libs/kafka/delivery_tracker.h"
#include "libs/runtime/log.h"
#include "libs/runtime/proto_time.h"
#include "services/analytics/dimensions.h"
#include "survey/v1/survey.pb.h"
#include "workorder/v1/workorder.pb.h"

namespace fbl::analytics {

namespace apb = ::feedbackloop::alerting::v1;
namespace cpb = ::feedbackloop::classification::v1;
namespace spb = ::feedbackloop::survey::v1;
namespace wpb = ::feedbackloop::workorder::v1;

void BindConfig(config::Binder& b, AnalyticsConfig& c) {
  c.consumer.group_id = "analytics";
  c.producer.client_id = c.consumer.client_id = "analytics";
  b.Field("server", c.server);
  b.Field("kafka_brokers", c.kafka_brokers);
  b.Field("producer", c.producer);
  b.Field("consumer", c.consumer);
  b.Field("redis", c.redis);
  b.Field("redis_key_prefix", c.redis_key_prefix);
  b.Field("classified_topic", c.classified_topic);
  b.Field("tickets_topic", c.tickets_topic);
  b.Field("surveys_topic", c.surveys_topic);
  b.Field("alerts_topic", c.alerts_topic);
  b.Field("calendar", c.calendar);
  b.Field("retention", c.retention);
  b.Field("stopwords_file", c.stopwords_file);
  b.Field("workorder_addr", c.workorder_addr);
  b.Field("early_warning", c.early_warning);
  b.Field("consume_batch", c.consume_batch);
  if (!c.kafka_brokers.empty()) c.producer.brokers = c.consumer.brokers = c.kafka_brokers;
  if (c.consumer.topics.empty()) {
    c.consumer.topics = {c.classified_topic, c.tickets_topic, c.surveys_topic, c.alerts_topic};
  }
  if (c.consume_batch <= 0) b.Fail("consume_batch", "must be positive");
  if (c.stopwords_file.empty()) b.Fail("stopwords_file", "is required");
}

AnalyticsMetrics::AnalyticsMetrics(prometheus::Registry& registry)
    : records_(prometheus::BuildCounter()
                   .Name("analytics_records_total")
                   .Help("Records read, by source (classified, ticket, survey, alert) and result (aggregated, "
                         "redelivered, near_duplicate, invalid, ignored).")
                   .Register(registry)),
      feedback_(prometheus::BuildCounter()
                    .Name("analytics_feedback_total")
                    .Help("Feedback aggregated (near-duplicates excluded), by channel and L1 intent.")
                    .Register(registry)),
      surveys_(prometheus::BuildCounter()
                   .Name("analytics_survey_responses_total")
                   .Help("Survey answers aggregated, by channel.")
                   .Register(registry)),
      csat_(prometheus::BuildHistogram()
                .Name("analytics_csat")
                .Help("CSAT scores (1-5) of survey answers.")
                .Register(registry)),
      nps_(prometheus::BuildCounter()
               .Name("analytics_nps_answers_total")
               .Help("NPS answers by class: promoter (9-10), passive (7-8), detractor (0-6).")
               .Register(registry)),
      ticket_seconds_(prometheus::BuildHistogram()
                          .Name("analytics_ticket_business_seconds")
                          .Help("Ticket times in business-calendar seconds, by kind (first_response, resolution).")
                          .Register(registry)),
      warnings_(prometheus::BuildCounter()
                    .Name("analytics_quality_warnings_total")
                    .Help("Quality-risk early warnings published (ALR-4), by dimension.")
                    .Register(registry)),
      queries_(prometheus::BuildCounter()
                   .Name("analytics_queries_total")
                   .Help("gRPC queries, by rpc and status code.")
                   .Register(registry)),
      query_seconds_(prometheus::BuildHistogram()
                         .Name("analytics_query_seconds")
                         .Help("gRPC query latency, by rpc.")
                         .Register(registry)),
      batch_seconds_(&prometheus::BuildHistogram()
                          .Name("analytics_batch_seconds")
                          .Help("Time to aggregate one consumed batch.")
                          .Register(registry)
                          .Add({}, prometheus::Histogram::BucketBoundaries{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                                                           1, 2.5, 5})) {
  // Every series the dashboards and rules read exists from the start.
  for (const char* source : {"classified", "ticket", "survey", "alert"}) {
    for (const char* result : {"aggregated", "redelivered", "invalid"}) Record(source, result, 0);
  }
  for (const char* d : {"l3", "model", "batch"}) warnings_.Add({{"dimension", d}});
  const auto* channels = ::feedbackloop::common::v1::Channel_descriptor();
  for (int i = 0; i < channels->value_count(); ++i) surveys_.Add({{"channel", channels->value(i)->name()}});
  csat_.Add({}, prometheus::Histogram::BucketBoundaries{1, 2, 3, 4, 5});
  for (const char* c : {"promoter", "passive", "detractor"}) nps_.Add({{"class", c}});
  for (const char* k : {"first_response", "resolution"}) {
    ticket_seconds_.Add({{"kind", k}}, prometheus::Histogram::BucketBoundaries{
                                           600, 1800, 3600, 7200, 14400, 28800, 86400, 172800, 259200, 604800});
  }
}

void AnalyticsMetrics::Survey(const std::string& channel, int csat, std::optional<int> nps) {
  surveys_.Add({{"channel", channel}}).Increment();
  if (csat > 0) csat_.Add({}, prometheus::Histogram::BucketBoundaries{1, 2, 3, 4, 5}).Observe(csat);
  if (nps) nps_.Add({{"class", *nps >= 9 ? "promoter" : *nps >= 7 ? "passive" : "detractor"}}).Increment();
}

void AnalyticsMetrics::TicketTimes(std::optional<double> first_response, std::optional<double> resolution) {
  const prometheus::Histogram::BucketBoundaries bounds{600,   1800,  3600,   7200,   14400,
                                                       28800, 86400, 172800, 259200, 604800};
  if (first_response) ticket_seconds_.Add({{"kind", "first_response"}}, bounds).Observe(*first_response);
  if (resolution) ticket_seconds_.Add({{"kind", "resolution"}}, bounds).Observe(*resolution);
}

void AnalyticsMetrics::Query(const std::string& rpc, const std::string& code, double seconds) {
  queries_.Add({{"rpc", rpc}, {"code", code}}).Increment();
  query_seconds_
      .Add({{"rpc", rpc}}, prometheus::Histogram::BucketBoundaries{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
                                                                   2.5, 5, 10})
      .Observe(seconds);
}

namespace {

std::string Intent(const pb::FeedbackFact& f) { return f.l1().empty() ? "none" : f.l1(0); }

}  // namespace

absl::Status InputProcessor::ProcessBatch(const std::vector<kafka::Message>& batch) {
  const auto began = std::chrono::steady_clock::now();
  std::vector<AggregateStore::FeedbackWrite> feedback;
  std::vector<AggregateStore::TicketWrite> tickets;
  std::vector<AggregateStore::SurveyWrite> surveys;
  std::vector<AggregateStore::AlertWrite> alerts;
  for (const kafka::Message& m : batch) {
    const absl::Time sent = m.timestamp_ms > 0 ? absl::FromUnixMillis(m.timestamp_ms) : absl::Now();
    if (m.topic == config_.classified_topic) {
      cpb::ClassifiedFeedback c;
      if (!c.ParseFromString(m.value) || c.feedback().feedback_id().empty()) {
        log::Error("not a ClassifiedFeedback; skipped", {{"offset", std::to_string(m.offset)}});
        metrics_.Record("classified", "invalid");
        continue;
      }
      if (!c.feedback().duplicate_of().empty()) {  // INT-4: counted once, as its original
        metrics_.Record("classified", "near_duplicate");
        continue;
      }
      AggregateStore::FeedbackWrite w;
      w.fact = ToFact(c, keywords_.Terms(c.feedback().text()));
      const absl::Time at = absl::FromUnixSeconds(w.fact.at_seconds());
      w.hour = buckets_.HourLabel(at);
      w.day = buckets_.DayLabel(at);
      w.fields = CounterFields(w.fact);
      w.distinct_fields = DistinctFields(w.fact);
      w.names = TagNames(c);
      feedback.push_back(std::move(w));
    } else if (m.topic == config_.tickets_topic) {
      wpb::TicketEvent e;
      if (!e.ParseFromString(m.value) || e.ticket().ticket_id().empty() || !e.ticket().has_created_at()) {
        log::Error("not a TicketEvent with a ticket; skipped", {{"offset", std::to_string(m.offset)}});
        metrics_.Record("ticket", "invalid");
        continue;
      }
      tickets.push_back({e.ticket(), buckets_.DayLabel(runtime::FromProto(e.ticket().created_at()))});
    } else if (m.topic == config_.surveys_topic) {
      spb::SurveyResponse s;
      if (!s.ParseFromString(m.value) || s.response_id().empty() || s.csat() < 0 || s.csat() > 5 ||
          (s.has_nps() && (s.nps() < 0 || s.nps() > 10))) {
        log::Error("not a valid SurveyResponse; skipped", {{"offset", std::to_string(m.offset)}});
        metrics_.Record("survey", "invalid");
        continue;
      }
      AggregateStore::SurveyWrite w;
      const absl::Time at = s.has_responded_at() ? runtime::FromProto(s.responded_at()) : sent;
      w.fact.set_response_id(s.response_id());
      w.fact.set_at_seconds(absl::ToUnixSeconds(at));
      w.fact.set_channel(::feedbackloop::common::v1::Channel_Name(s.channel()));
      w.fact.set_ticket_id(s.ticket_id());
      w.fact.set_csat(s.csat());
      if (s.has_nps()) w.fact.set_nps(s.nps());
      w.day = buckets_.DayLabel(at);
      surveys.push_back(std::move(w));
    } else if (m.topic == config_.alerts_topic) {
      apb::AlertEvent e;
      if (!e.ParseFromString(m.value) || e.alert().alert_id().empty()) {
        log::Error("not an AlertEvent; skipped", {{"offset", std::to_string(m.offset)}});
        metrics_.Record("alert", "invalid");
        continue;
      }
      if (e.type() != apb::ALERT_EVENT_TYPE_RAISED) {
        metrics_.Record("alert", "ignored");
        continue;
      }
      const absl::Time at = e.alert().has_created_at() ? runtime::FromProto(e.alert().created_at()) : sent;
      alerts.push_back({e.alert().alert_id(), buckets_.HourLabel(at), buckets_.DayLabel(at),
                        apb::AlertKind_Name(e.alert().kind())});
    }
  }

  auto added = store_.AddFeedback(feedback);
  if (!added.ok()) return added.status();
  for (size_t i = 0; i < feedback.size(); ++i) {
    metrics_.Record("classified", (*added)[i] ? "aggregated" : "redelivered");
    if ((*added)[i]) metrics_.Feedback(feedback[i].fact.channel(), Intent(feedback[i].fact));
  }
  auto previous = store_.PutTickets(tickets);
  if (!previous.ok()) return previous.status();
  for (size_t i = 0; i < tickets.size(); ++i) {
    const auto& before = (*previous)[i];
    metrics_.Record("ticket", before ? "aggregated" : "redelivered");
    if (!before) continue;
    const wpb::Ticket& t = tickets[i].ticket;
    const absl::Time created = runtime::FromProto(t.created_at());
    std::optional<double> first, resolved;
    if (t.has_first_response_at() && !before->has_first_response_at()) {
      first = absl::ToDoubleSeconds(calendar_.Between(created, runtime::FromProto(t.first_response_at())));
    }
    if (t.has_resolved_at() && !before->has_resolved_at()) {
      resolved = std::max(0.0, absl::ToDoubleSeconds(calendar_.Between(created, runtime::FromProto(t.resolved_at())) -
                                                     runtime::FromProto(t.paused())));
    }
    metrics_.TicketTimes(first, resolved);
  }
  auto answered = store_.AddSurveys(surveys);
  if (!answered.ok()) return answered.status();
  for (size_t i = 0; i < surveys.size(); ++i) {
    metrics_.Record("survey", (*answered)[i] ? "aggregated" : "redelivered");
    const pb::SurveyFact& f = surveys[i].fact;
    if ((*answered)[i]) metrics_.Survey(f.channel(), f.csat(), f.has_nps() ? std::optional<int>(f.nps()) : std::nullopt);
  }
  auto raised = store_.AddAlerts(alerts);
  if (!raised.ok()) return raised.status();
  for (const bool fresh : *raised) metrics_.Record("alert", fresh ? "aggregated" : "redelivered");
  metrics_.BatchSeconds(std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count());
  return absl::OkStatus();
}

EarlyWarning::Publish WarningPublisher(kafka::Producer& producer, const AnalyticsConfig& config,
                                       AnalyticsMetrics& metrics) {
  return [&producer, &config, &metrics](const std::vector<Warning>& warnings) -> absl::Status {
    auto tracker = std::make_shared<kafka::DeliveryTracker>();
    for (const Warning& w : warnings) {
      absl::Status s = producer.Produce({config.alerts_topic, w.event.alert().alert_id(), w.event.SerializeAsString(),
                                         {{kafka::kSchemaHeader, w.event.GetTypeName()}}},
                                        tracker->Track(tracker));
      if (!s.ok()) return s;
    }
    if (absl::Status s = tracker->Wait(config.producer.message_timeout + absl::Seconds(5)); !s.ok()) return s;
    for (const Warning& w : warnings) {
      metrics.Warning(w.dimension);
      log::Warn("quality-risk warning published",
                {{"alert_id", w.event.alert().alert_id()}, {"summary", w.event.alert().summary()}});
    }
    return absl::OkStatus();
  };
}

namespace {

grpc::Status ToGrpc(const absl::Status& s) {
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
}

}  // namespace

template <typename Req, typename Resp, typename Fn>
grpc::Status AnalyticsGrpcService::Run(const char* rpc, const Req& req, Resp* resp, Fn fn) {
  const auto began = std::chrono::steady_clock::now();
  auto r = fn(req);
  const absl::Status status = r.status();
  if (r.ok()) *resp = *std::move(r);
  metrics_.Query(rpc, absl::StatusCodeToString(status.code()),
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count());
  if (!status.ok() && !absl::IsInvalidArgument(status)) {
    log::Warn("query failed", {{"rpc", rpc}, {"error", std::string(status.message())}});
  }
  return ToGrpc(status);
}

runtime::PermissionTable AnalyticsPermissions() {
  const std::string read(runtime::kPermAnalyticsRead);
  return {{"GetDistribution", read}, {"GetTopProblems", read}, {"GetTrend", read},
          {"GetKeywords", read},     {"GetSatisfaction", read}, {"GetServiceKpis", read},
          {"GetCorrelation", read},  {"CompareMetric", read},  {"GenerateReport", read}};
}

grpc::Status AnalyticsGrpcService::GetDistribution(grpc::ServerContext*, const pb::GetDistributionRequest* r,
                                                   pb::GetDistributionResponse* out) {
  return Run("GetDistribution", *r, out, [&](const auto& q) { return queries_.Distribution(q); });
}
grpc::Status AnalyticsGrpcService::GetTopProblems(grpc::ServerContext*, const pb::GetTopProblemsRequest* r,
                                                  pb::GetTopProblemsResponse* out) {
  return Run("GetTopProblems", *r, out, [&](const auto& q) { return queries_.TopProblems(q); });
}
grpc::Status AnalyticsGrpcService::GetTrend(grpc::ServerContext*, const pb::GetTrendRequest* r,
                                            pb::GetTrendResponse* out) {
  return Run("GetTrend", *r, out, [&](const auto& q) { return queries_.Trend(q); });
}
grpc::Status AnalyticsGrpcService::GetKeywords(grpc::ServerContext*, const pb::GetKeywordsRequest* r,
                                               pb::GetKeywordsResponse* out) {
  return Run("GetKeywords", *r, out, [&](const auto& q) { return queries_.Keywords(q); });
}
grpc::Status AnalyticsGrpcService::GetSatisfaction(grpc::ServerContext*, const pb::GetSatisfactionRequest* r,
                                                   pb::GetSatisfactionResponse* out) {
  return Run("GetSatisfaction", *r, out, [&](const auto& q) { return queries_.Satisfaction(q); });
}
grpc::Status AnalyticsGrpcService::GetServiceKpis(grpc::ServerContext*, const pb::GetServiceKpisRequest* r,
                                                  pb::GetServiceKpisResponse* out) {
  return Run("GetServiceKpis", *r, out, [&](const auto& q) { return queries_.ServiceKpis(q); });
}
grpc::Status AnalyticsGrpcService::GetCorrelation(grpc::ServerContext*, const pb::GetCorrelationRequest* r,
                                                  pb::GetCorrelationResponse* out) {
  return Run("GetCorrelation", *r, out, [&](const auto& q) { return queries_.Correlation(q); });
}
grpc::Status AnalyticsGrpcService::CompareMetric(grpc::ServerContext*, const pb::CompareMetricRequest* r,
                                                 pb::CompareMetricResponse* out) {
  return Run("CompareMetric", *r, out, [&](const auto& q) { return queries_.Compare(q); });
}
grpc::Status AnalyticsGrpcService::GenerateReport(grpc::ServerContext*, const pb::GenerateReportRequest* r,
                                                  pb::GenerateReportResponse* out) {
  return Run("GenerateReport", *r, out, [&](const auto& q) { return reports_.Generate(q); });
}

}  // namespace fbl::analytics
