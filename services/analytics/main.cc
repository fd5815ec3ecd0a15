// analytics: aggregates of classified feedback, tickets, surveys and alerts;
// queries and reports over gRPC; quality-risk early warnings (ALR-4).
//   analytics [--config FILE]
#include <unistd.h>

#include <cstdio>

#include <CLI/CLI.hpp>
#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "libs/kafka/consumer.h"
#include "libs/kafka/consumer_loop.h"
#include "libs/redis/redis_client.h"
#include "libs/runtime/consumer_worker.h"
#include "libs/runtime/kafka_probe.h"
#include "libs/runtime/log.h"
#include "libs/runtime/runtime.h"
#include "services/analytics/analytics_service.h"
#include "workorder/v1/workorder.grpc.pb.h"

namespace fbl::analytics {
namespace {

namespace wpb = ::feedbackloop::workorder::v1;

int Fatal(const std::string& what, const absl::Status& s) {
  std::fprintf(stderr, "analytics: %s: %s\n", what.c_str(), std::string(s.message()).c_str());
  return 1;
}

// Improvement plans from workorder (all pages), for reports.
ReportBuilder::PlanSource PlansFrom(const std::string& addr) {
  if (addr.empty()) return nullptr;
  auto stub = std::shared_ptr<wpb::WorkorderService::Stub>(
      wpb::WorkorderService::NewStub(grpc::CreateChannel(addr, grpc::InsecureChannelCredentials())));
  return [stub, addr]() -> absl::StatusOr<std::vector<wpb::ImprovementPlan>> {
    std::vector<wpb::ImprovementPlan> plans;
    wpb::ListPlansRequest req;
    req.mutable_page()->set_page_size(200);
    for (int page = 0; page < 50; ++page) {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
      wpb::ListPlansResponse resp;
      const grpc::Status s = stub->ListPlans(&ctx, req, &resp);
      if (!s.ok()) return absl::UnavailableError(absl::StrCat("workorder at ", addr, ": ", s.error_message()));
      plans.insert(plans.end(), resp.plans().begin(), resp.plans().end());
      if (resp.next_page_token().empty()) break;
      req.mutable_page()->set_page_token(resp.next_page_token());
    }
    return plans;
  };
}

int Serve(const AnalyticsConfig& cfg) {
  auto rt = runtime::Runtime::Create("analytics", cfg.server);
  if (!rt.ok()) return Fatal("runtime", rt.status());
  auto calendar = calendar::BusinessCalendar::Create(cfg.calendar);
  if (!calendar.ok()) return Fatal("calendar", calendar.status());
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(cfg.calendar.time_zone, &zone)) return Fatal("calendar", absl::InvalidArgumentError(cfg.calendar.time_zone));
  auto keywords = keywords::Extractor::Create(cfg.stopwords_file);
  if (!keywords.ok()) return Fatal("stopwords", keywords.status());
  auto redis = redis::Client::Create(cfg.redis);  // consumer
  if (!redis.ok()) return Fatal("redis", redis.status());
  auto api_redis = redis::Client::Create(cfg.redis);  // queries do not queue behind batches
  if (!api_redis.ok()) return Fatal("redis", api_redis.status());
  auto ew_redis = redis::Client::Create(cfg.redis);
  if (!ew_redis.ok()) return Fatal("redis", ew_redis.status());
  runtime::KafkaProbe probe((*rt)->registry(), "analytics", {cfg.alerts_topic});
  auto producer = kafka::Producer::Create(cfg.producer, &probe);
  if (!producer.ok()) return Fatal("kafka producer", producer.status());
  auto consumer = kafka::Consumer::Create(cfg.consumer, &probe);
  if (!consumer.ok()) return Fatal("kafka consumer", consumer.status());

  const Buckets buckets(zone);
  AnalyticsMetrics metrics((*rt)->registry());
  AggregateStore store(**redis, cfg.redis_key_prefix, cfg.retention);
  AggregateStore api_store(**api_redis, cfg.redis_key_prefix, cfg.retention);
  AggregateStore ew_store(**ew_redis, cfg.redis_key_prefix, cfg.retention);
  InputProcessor input(cfg, store, **keywords, buckets, *calendar, metrics);
  QueryEngine queries(api_store, buckets, *calendar);
  QueryEngine ew_queries(ew_store, buckets, *calendar);
  ReportBuilder reports(queries, PlansFrom(cfg.workorder_addr), [] { return absl::Now(); });
  AnalyticsGrpcService grpc_service(queries, reports, metrics);
  if (absl::Status s = (*rt)->ServeGrpc(
          {{pb::AnalyticsService::service_full_name(), &grpc_service, AnalyticsPermissions()}}); !s.ok()) {
    return Fatal("grpc", s);
  }
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  EarlyWarning early_warning(
      cfg.early_warning, ew_store, ew_queries,
      WarningPublisher(**producer, cfg, metrics),
      absl::StrCat(host, "-", getpid()));
  runtime::Signals& signals = (*rt)->signals();
  log::Info("analytics started", {{"time_zone", cfg.calendar.time_zone}});

  kafka::ConsumerLoopOptions options;
  options.max_batch = static_cast<size_t>(cfg.consume_batch);
  runtime::ConsumerWorker worker(
      **consumer, [&](const std::vector<kafka::Message>& b) { return input.ProcessBatch(b); }, signals, options);
  runtime::PeriodicTask warnings(signals, cfg.early_warning.interval, "early warning",
                                 [&] { return early_warning.RunOnce(absl::Now()).status(); });

  signals.Wait();
  return (*rt)->Drain({.loops = {{"consumer", &worker}},
                       .background = {[&] { warnings.Join(); }},
                       .consumers = {consumer->get()},
                       .producer = producer->get()});
}

}  // namespace
}  // namespace fbl::analytics

int main(int argc, char** argv) {
  CLI::App app{"Feedback Loop analytics service"};
  std::string config_path;
  app.add_option("--config", config_path, "YAML config file (FBL__SECTION__KEY env vars override it)");
  CLI11_PARSE(app, argc, argv);
  auto cfg = fbl::config::Load<fbl::analytics::AnalyticsConfig>(config_path);
  if (!cfg.ok()) {
    std::fprintf(stderr, "analytics: %s\n", std::string(cfg.status().message()).c_str());
    return 2;
  }
  return fbl::analytics::Serve(*cfg);
}
