// notifier: fans alerts.v1 out to on-call people (ALR-2).
//   notifier [--config FILE]
#include <unistd.h>

#include <cstdio>
#include <random>

#include <CLI/CLI.hpp>

#include "absl/strings/str_cat.h"
#include "libs/kafka/consumer.h"
#include "libs/kafka/consumer_loop.h"
#include "libs/redis/redis_client.h"
#include "libs/runtime/consumer_worker.h"
#include "libs/runtime/kafka_probe.h"
#include "libs/runtime/log.h"
#include "libs/runtime/runtime.h"
#include "services/notifier/notifier_service.h"

namespace fbl::notifier {
namespace {

int Fatal(const std::string& what, const absl::Status& s) {
  std::fprintf(stderr, "notifier: %s: %s\n", what.c_str(), std::string(s.message()).c_str());
  return 1;
}

std::string InstanceId() {
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  std::mt19937_64 rng(std::random_device{}());
  return absl::StrCat(host, "-", getpid(), "-", absl::Hex(rng() & 0xffffffff));
}

int Serve(const NotifierConfig& cfg) {
  auto rt = runtime::Runtime::Create("notifier", cfg.server);
  if (!rt.ok()) return Fatal("runtime", rt.status());
  auto directory = BuildDirectory(cfg);
  if (!directory.ok()) return Fatal("on-call config", directory.status());
  auto secrets = LoadSecrets(cfg);
  if (!secrets.ok()) return Fatal("secrets", secrets.status());
  auto transport = CreateCurlTransport();
  if (!transport.ok()) return Fatal("transport", transport.status());
  Clock clock = [] { return absl::Now(); };
  auto redis = redis::Client::Create(cfg.redis);
  if (!redis.ok()) return Fatal("redis", redis.status());
  auto channels = ChannelSet::Create(cfg, *secrets, **transport, clock, redis->get(), cfg.redis_key_prefix);
  if (!channels.ok()) return Fatal("channels", channels.status());
  auto api_redis = redis::Client::Create(cfg.redis);  // API reads do not queue behind deliveries
  if (!api_redis.ok()) return Fatal("redis", api_redis.status());
  runtime::KafkaProbe probe((*rt)->registry(), "notifier");
  auto consumer = kafka::Consumer::Create(cfg.consumer, &probe);
  if (!consumer.ok()) return Fatal("kafka consumer", consumer.status());
  // Acknowledgements are read by a group of their own: the paging loop may
  // be busy retrying the very alert that was just acknowledged.
  kafka::ConsumerConfig closures_cfg = cfg.consumer;
  closures_cfg.group_id += "-closures";
  auto closures_consumer = kafka::Consumer::Create(closures_cfg, &probe);
  if (!closures_consumer.ok()) return Fatal("kafka consumer", closures_consumer.status());

  runtime::Signals& signals = (*rt)->signals();
  NotifierMetrics metrics((*rt)->registry());
  DeliveryStore deliveries(**redis, cfg.redis_key_prefix, cfg.record_ttl);
  StormStore storms(**redis, cfg.redis_key_prefix, cfg.record_ttl);
  DeliveryStore api_store(**api_redis, cfg.redis_key_prefix, cfg.record_ttl);
  Sleeper sleep = [&signals](absl::Duration d) { return !signals.WaitFor(d); };
  const std::string instance = InstanceId();
  Notifier notifier(cfg, *directory, deliveries, storms, **channels, metrics, clock, sleep, instance);
  NotifierGrpcService grpc_service(api_store);
  if (absl::Status s = (*rt)->ServeGrpc(
          {{pb::NotifierService::service_full_name(), &grpc_service, NotifierPermissions()}}); !s.ok()) {
    return Fatal("grpc", s);
  }
  log::Info("notifier started", {{"instance", instance},
                                 {"people", std::to_string(directory->people().size())},
                                 {"routes", std::to_string(cfg.routes.size())}});

  kafka::ConsumerLoopOptions options;
  options.max_batch = static_cast<size_t>(cfg.consume_batch);
  runtime::ConsumerWorker worker(
      **consumer, [&](const std::vector<kafka::Message>& b) { return notifier.ProcessBatch(b); }, signals,
      options);
  runtime::ConsumerWorker closures_worker(
      **closures_consumer, [&](const std::vector<kafka::Message>& b) { return notifier.RecordClosures(b); }, signals,
      options);
  runtime::PeriodicTask storms_flush(signals, cfg.storm.tick, "storm flush",
                                     [&] { return notifier.FlushStorms().status(); });

  signals.Wait();
  return (*rt)->Drain({.loops = {{"consumer", &worker}, {"closures consumer", &closures_worker}},
                       .background = {[&] { storms_flush.Join(); }},
                       .consumers = {consumer->get(), closures_consumer->get()}});
}

}  // namespace
}  // namespace fbl::notifier

int main(int argc, char** argv) {
  CLI::App app{"Feedback Loop notifier: pages on-call people for alerts"};
  std::string config_path;
  app.add_option("--config", config_path, "YAML config file (FBL__SECTION__KEY env vars override it)");
  CLI11_PARSE(app, argc, argv);
  auto cfg = fbl::config::Load<fbl::notifier::NotifierConfig>(config_path);
  if (!cfg.ok()) {
    std::fprintf(stderr, "notifier: %s\n", std::string(cfg.status().message()).c_str());
    return 2;
  }
  return fbl::notifier::Serve(*cfg);
}
