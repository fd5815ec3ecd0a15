// intake: every channel in, standard record out, nothing lost.
//   intake [--config FILE]                       serve (Kafka consumer + gRPC)
//   intake import --config FILE --file F --mapping M [--format csv|jsonl] [--report R]
#include <cstdio>
#include <iostream>
#include <thread>

#include <CLI/CLI.hpp>

#include "absl/strings/str_cat.h"
#include "libs/kafka/consumer.h"
#include "libs/kafka/consumer_loop.h"
#include "libs/privacy/keyring.h"
#include "libs/redis/redis_client.h"
#include "libs/runtime/config.h"
#include "libs/runtime/consumer_worker.h"
#include "libs/runtime/kafka_probe.h"
#include "libs/runtime/log.h"
#include "libs/runtime/runtime.h"
#include "services/intake/importer.h"
#include "services/intake/intake_keys.h"
#include "services/intake/intake_service.h"

namespace fbl::intake {
namespace {

// One line on stderr and a non-zero exit: for start-up failures.
int Fatal(const std::string& what, const absl::Status& s) {
  std::fprintf(stderr, "intake: %s: %s\n", what.c_str(), std::string(s.message()).c_str());
  return 1;
}

int Serve(const IntakeConfig& cfg) {
  auto rt = runtime::Runtime::Create("intake", cfg.server);
  if (!rt.ok()) return Fatal("runtime", rt.status());
  auto normalizer = text::Normalizer::Create();
  if (!normalizer.ok()) return Fatal("normalizer", normalizer.status());
  // Reloaded when the file changes (keyring_poll, SIGHUP): rotation needs no restart.
  auto keys = LiveKeys::Create(cfg.keyring_file, *normalizer);
  if (!keys.ok()) return Fatal("keyring", keys.status());
  auto redis = redis::Client::Create(cfg.redis);
  if (!redis.ok()) return Fatal("redis", redis.status());

  runtime::KafkaProbe probe((*rt)->registry(), "intake", {cfg.topics.accepted, cfg.topics.rejected});
  auto producer = kafka::Producer::Create(cfg.producer, &probe);
  if (!producer.ok()) return Fatal("kafka producer", producer.status());
  auto consumer = kafka::Consumer::Create(cfg.consumer, &probe);
  if (!consumer.ok()) return Fatal("kafka consumer", consumer.status());

  DedupStore dedup(**redis, cfg.dedup);
  IntakeMetrics metrics((*rt)->registry());
  LiveKeys& live = **keys;
  IntakeProcessor processor(cfg, [&live] { return live.Current()->builder; }, dedup, **producer, metrics);
  PiiAuditLog pii_audit(**redis, cfg.pii_audit_stream, cfg.privacy.pii_audit_max_len);
  ContactReader contacts([&live] { return live.Current()->sealer; }, pii_audit);
  // Its own connection: a long re-seal run does not hold up submissions.
  auto admin_redis = redis::Client::Create(cfg.redis);
  if (!admin_redis.ok()) return Fatal("redis", admin_redis.status());
  PrivacyAdmin privacy(**admin_redis, live, cfg.privacy.erasure_audit_stream, cfg.privacy.erasure_audit_max_len,
                       &metrics);
  IntakeGrpcService grpc_service(processor, cfg, &contacts, &privacy);
  if (absl::Status s = (*rt)->ServeGrpc(
          {{api::IntakeService::service_full_name(), &grpc_service, IntakePermissions()}});
      !s.ok()) {
    return Fatal("grpc", s);
  }

  runtime::Signals& signals = (*rt)->signals();
  auto reload = [&](bool forced) {
    if (auto result = live.Reload(forced)) metrics.KeyringReload(*result);
  };
  signals.OnReload([&] { reload(true); });
  runtime::PeriodicTask keyring_poll(signals, cfg.privacy.keyring_poll, "keyring poll", [&] {
    reload(false);
    return absl::OkStatus();
  });
  log::Info("intake started", {{"keys", live.Current()->version}});
  kafka::ConsumerLoopOptions options;
  options.max_batch = static_cast<size_t>(cfg.consume_batch);
  options.retry_backoff = cfg.retry_backoff;
  runtime::ConsumerWorker worker(
      **consumer, [&](const std::vector<kafka::Message>& batch) { return processor.ProcessBatch(batch); },
      signals, options);

  signals.Wait();
  return (*rt)->Drain({.loops = {{"consumer", &worker}},
                       .background = {[&] { keyring_poll.Join(); }},
                       .consumers = {consumer->get()},
                       .producer = producer->get()});
}

}  // namespace
}  // namespace fbl::intake

int main(int argc, char** argv) {
  CLI::App app{"Feedback Loop intake service"};
  std::string config_path;
  app.add_option("--config", config_path, "YAML config file (FBL__SECTION__KEY env vars override it)");
  fbl::intake::ImportOptions import;
  auto* import_cmd = app.add_subcommand("import", "Bulk-import offline feedback (CSV or JSONL) into feedback.raw.v1");
  import_cmd->add_option("--config", config_path, "YAML config file");
  import_cmd->add_option("--file", import.file, "CSV or JSONL file")->required();
  import_cmd->add_option("--mapping", import.mapping_file, "column mapping YAML")->required();
  import_cmd->add_option("--format", import.format, "csv or jsonl (default: by file extension)");
  import_cmd->add_option("--report", import.report_file, "reject report CSV (default: <file>.rejects.csv)");
  import_cmd->add_option("--limit", import.limit, "import at most this many rows");
  import_cmd->add_flag("--quiet", import.quiet, "no progress bar");
  CLI11_PARSE(app, argc, argv);

  auto cfg = fbl::config::Load<fbl::intake::IntakeConfig>(config_path);
  if (!cfg.ok()) {
    std::fprintf(stderr, "intake: %s\n", std::string(cfg.status().message()).c_str());
    return 2;
  }
  if (import_cmd->parsed()) return fbl::intake::RunImport(*cfg, import);
  return fbl::intake::Serve(*cfg);
}
