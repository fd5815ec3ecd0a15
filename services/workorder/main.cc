// workorder: tickets from classified feedback, red alerts and the API, with
// deadlines on a business calendar, the customer survey loop and audit.
//   workorder [--config FILE]
#include <unistd.h>

#include <cstdio>
#include <thread>

#include <CLI/CLI.hpp>

#include "absl/strings/str_cat.h"
#include "libs/kafka/consumer.h"
#include "libs/kafka/consumer_loop.h"
#include "libs/redis/redis_client.h"
#include "libs/runtime/consumer_worker.h"
#include "libs/runtime/kafka_probe.h"
#include "libs/runtime/log.h"
#include "libs/runtime/runtime.h"
#include "services/workorder/workorder_service.h"

namespace fbl::workorder {
namespace {

int Fatal(const std::string& what, const absl::Status& s) {
  std::fprintf(stderr, "workorder: %s: %s\n", what.c_str(), std::string(s.message()).c_str());
  return 1;
}

int Serve(const WorkorderConfig& cfg) {
  auto rt = runtime::Runtime::Create("workorder", cfg.server);
  if (!rt.ok()) return Fatal("runtime", rt.status());
  auto calendar = BusinessCalendar::Create(cfg.calendar);
  if (!calendar.ok()) return Fatal("calendar", calendar.status());
  auto redis = redis::Client::Create(cfg.redis);  // consumer and scheduler
  if (!redis.ok()) return Fatal("redis", redis.status());
  auto api_redis = redis::Client::Create(cfg.redis);  // gRPC calls do not queue behind batches
  if (!api_redis.ok()) return Fatal("redis", api_redis.status());
  auto relay_redis = redis::Client::Create(cfg.redis);
  if (!relay_redis.ok()) return Fatal("redis", relay_redis.status());
  runtime::KafkaProbe probe((*rt)->registry(), "workorder", {cfg.tickets_topic, cfg.alerts_topic});
  auto producer = kafka::Producer::Create(cfg.producer, &probe);
  if (!producer.ok()) return Fatal("kafka producer", producer.status());
  auto consumer = kafka::Consumer::Create(cfg.consumer, &probe);
  if (!consumer.ok()) return Fatal("kafka consumer", consumer.status());

  Clock clock = [] { return absl::Now(); };
  WorkorderMetrics metrics((*rt)->registry());
  TicketStore store(**redis, cfg.redis_key_prefix);
  TicketStore api_store(**api_redis, cfg.redis_key_prefix);
  TicketStore relay_store(**relay_redis, cfg.redis_key_prefix);
  TicketService tickets(store, *calendar, cfg.policy, clock);
  TicketService api_tickets(api_store, *calendar, cfg.policy, clock);
  InputProcessor input(cfg, tickets, metrics);
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  OutboxRelay relay(cfg, relay_store, **producer, metrics, absl::StrCat(host, "-", getpid()));
  PlanStore plans(**api_redis, cfg.redis_key_prefix);
  WorkorderGrpcService grpc_service(api_tickets, api_store, plans, clock, cfg.erasure);
  if (absl::Status s = (*rt)->ServeGrpc(
          {{pb::WorkorderService::service_full_name(), &grpc_service, WorkorderPermissions()}}); !s.ok()) {
    return Fatal("grpc", s);
  }
  runtime::Signals& signals = (*rt)->signals();
  log::Info("workorder started", {{"calendar", cfg.calendar.time_zone}});

  kafka::ConsumerLoopOptions options;
  options.max_batch = static_cast<size_t>(cfg.consume_batch);
  runtime::ConsumerWorker worker(
      **consumer, [&](const std::vector<kafka::Message>& b) { return input.ProcessBatch(b); }, signals, options);
  runtime::PeriodicTask deadlines(signals, cfg.scheduler_tick, "deadline tick",
                                  [&] { return tickets.FireDue(cfg.timer_lease, 100).status(); });
  runtime::PeriodicTask dispatcher(signals, cfg.scheduler_tick, "queued assignment",
                                   [&] { return tickets.AssignQueued(100).status(); });
  std::thread relay_thread([&] {
    absl::Duration wait = absl::Milliseconds(20);
    while (!signals.WaitFor(wait)) {
      auto n = relay.RunOnce(200);
      if (!n.ok()) log::Warn("outbox relay failed; will retry", {{"error", std::string(n.status().message())}});
      // Busy: go again at once; idle or failing: back off a little.
      wait = n.ok() && *n > 0 ? absl::Milliseconds(1) : absl::Milliseconds(50);
    }
    (void)relay.RunOnce(1000);  // what the last batches wrote
  });

  signals.Wait();
  return (*rt)->Drain({.loops = {{"consumer", &worker}},
                       .background = {[&] { deadlines.Join(); }, [&] { dispatcher.Join(); },
                                      [&] { relay_thread.join(); }},
                       .consumers = {consumer->get()},
                       .producer = producer->get()});
}

}  // namespace
}  // namespace fbl::workorder

int main(int argc, char** argv) {
  CLI::App app{"Feedback Loop workorder service"};
  std::string config_path;
  app.add_option("--config", config_path, "YAML config file (FBL__SECTION__KEY env vars override it)");
  CLI11_PARSE(app, argc, argv);
  auto cfg = fbl::config::Load<fbl::workorder::WorkorderConfig>(config_path);
  if (!cfg.ok()) {
    std::fprintf(stderr, "workorder: %s\n", std::string(cfg.status().message()).c_str());
    return 2;
  }
  return fbl::workorder::Serve(*cfg);
}
