// alerting: red alerts from accepted feedback, escalation timers, alert API.
//   alerting [--config FILE]             serve
//   alerting check [--rules FILE]        dry run: JSON lines {"id","text"} on stdin
#include <cstdio>
#include <iostream>

#include <CLI/CLI.hpp>

#include "libs/kafka/consumer.h"
#include "libs/kafka/consumer_loop.h"
#include "libs/redis/redis_client.h"
#include "libs/runtime/consumer_worker.h"
#include "libs/runtime/kafka_probe.h"
#include "libs/runtime/log.h"
#include "libs/runtime/reload.h"
#include "libs/runtime/runtime.h"
#include "services/alerting/alerting_service.h"

namespace fbl::alerting {
namespace {

int Fatal(const std::string& what, const absl::Status& s) {
  std::fprintf(stderr, "alerting: %s: %s\n", what.c_str(), std::string(s.message()).c_str());
  return 1;
}

int Check(const std::string& rules_file) {
  auto rules = redalert::LoadRuleSet(rules_file);
  if (!rules.ok()) return Fatal("rules", rules.status());
  auto matcher = redalert::Matcher::Create(*rules);
  if (!matcher.ok()) return Fatal("rules", matcher.status());
  return RunCheck(**matcher, std::cin, std::cout) == 0 ? 0 : 1;
}

int Serve(const AlertingConfig& cfg) {
  auto rt = runtime::Runtime::Create("alerting", cfg.server);
  if (!rt.ok()) return Fatal("runtime", rt.status());
  auto rules = redalert::CreateRuleReloader(cfg.rules_file);
  if (!rules.ok()) return Fatal("rules", rules.status());
  auto redis = redis::Client::Create(cfg.redis);
  if (!redis.ok()) return Fatal("redis", redis.status());
  runtime::KafkaProbe probe((*rt)->registry(), "alerting", {cfg.alerts_topic});
  auto producer = kafka::Producer::Create(cfg.producer, &probe);
  if (!producer.ok()) return Fatal("kafka producer", producer.status());
  auto consumer = kafka::Consumer::Create(cfg.consumer, &probe);
  if (!consumer.ok()) return Fatal("kafka consumer", consumer.status());

  Clock clock = [] { return absl::Now(); };
  AlertingMetrics metrics((*rt)->registry());
  AlertStore store(**redis, cfg.redis_key_prefix);
  EventPublisher publisher(**producer, cfg.alerts_topic, metrics);
  AlertProcessor processor(cfg, **rules, store, publisher, metrics, clock);
  EscalationScheduler scheduler(cfg, store, publisher, clock);
  AlertingGrpcService grpc_service(store, publisher, clock);
  if (absl::Status s = (*rt)->ServeGrpc(
          {{pb::AlertingService::service_full_name(), &grpc_service, AlertingPermissions()}}); !s.ok()) {
    return Fatal("grpc", s);
  }
  runtime::Signals& signals = (*rt)->signals();
  auto reload = [&](bool forced) {
    if (auto result = runtime::ReloadAndLog(**rules, forced, "rules file")) metrics.RulesReload(*result);
  };
  signals.OnReload([&] { reload(true); });

  kafka::ConsumerLoopOptions options;
  options.max_batch = static_cast<size_t>(cfg.consume_batch);
  runtime::ConsumerWorker worker(
      **consumer, [&](const std::vector<kafka::Message>& b) { return processor.ProcessBatch(b); }, signals,
      options);
  runtime::PeriodicTask escalation(signals, cfg.scheduler_tick, "escalation tick",
                                   [&] { return scheduler.Tick().status(); });
  runtime::PeriodicTask rules_poll(signals, cfg.rules_poll, "rules poll", [&] {
    reload(false);
    return absl::OkStatus();
  });

  signals.Wait();
  return (*rt)->Drain({.loops = {{"consumer", &worker}},
                       .background = {[&] { escalation.Join(); }, [&] { rules_poll.Join(); }},
                       .consumers = {consumer->get()},
                       .producer = producer->get()});
}

}  // namespace
}  // namespace fbl::alerting

int main(int argc, char** argv) {
  CLI::App app{"Feedback Loop alerting service"};
  std::string config_path;
  app.add_option("--config", config_path, "YAML config file (FBL__SECTION__KEY env vars override it)");
  std::string rules_file = "deploy/rules/red_alert.yaml";
  auto* check = app.add_subcommand("check", "Dry run: JSON lines {\"id\",\"text\"} on stdin, verdicts on stdout");
  check->add_option("--rules", rules_file, "rules file")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (check->parsed()) return fbl::alerting::Check(rules_file);
  auto cfg = fbl::config::Load<fbl::alerting::AlertingConfig>(config_path);
  if (!cfg.ok()) {
    std::fprintf(stderr, "alerting: %s\n", std::string(cfg.status().message()).c_str());
    return 2;
  }
  return fbl::alerting::Serve(*cfg);
}
