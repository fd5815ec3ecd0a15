// classification: tags, sentiment, impact, priority and department for
// every accepted feedback (CLS-1…CLS-7).
//   classification [--config FILE]                 serve
//   classification check [--config FILE]           dry run: JSON lines {"id","text"} on stdin
//   classification export-corrections [--config FILE]   training lines for classification-train on stdout
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>

#include <CLI/CLI.hpp>

#include "absl/strings/str_cat.h"
#include "libs/kafka/consumer.h"
#include "libs/kafka/consumer_loop.h"
#include "libs/redis/redis_client.h"
#include "libs/runtime/consumer_worker.h"
#include "libs/runtime/kafka_probe.h"
#include "libs/runtime/log.h"
#include "libs/runtime/reload.h"
#include "libs/runtime/runtime.h"
#include "services/classification/classification_service.h"

namespace fbl::classification {
namespace {

int Fatal(const std::string& what, const absl::Status& s) {
  std::fprintf(stderr, "classification: %s: %s\n", what.c_str(), std::string(s.message()).c_str());
  return 1;
}

absl::StatusOr<std::unique_ptr<sentiment::SentimentModel>> LoadModel(const ClassificationConfig& cfg) {
  if (cfg.sentiment_model.empty()) return std::unique_ptr<sentiment::SentimentModel>();
  return sentiment::SentimentModel::Load(cfg.sentiment_model);
}

std::string ModelVersion(const ClassificationConfig& cfg) {
  return cfg.sentiment_model.empty() ? "" : std::filesystem::path(cfg.sentiment_model).filename().string();
}

int Check(const ClassificationConfig& cfg) {
  auto taxonomy = Taxonomy::Load(cfg.taxonomy_file);
  if (!taxonomy.ok()) return Fatal("taxonomy", taxonomy.status());
  auto model = LoadModel(cfg);
  if (!model.ok()) return Fatal("sentiment model", model.status());
  std::shared_ptr<const TagModel> tags;
  if (!cfg.tag_model.empty()) {
    auto loaded = TagModel::Load(cfg.tag_model);
    if (!loaded.ok()) return Fatal("tag model", loaded.status());
    tags = *loaded;
  }
  Classifier classifier(*taxonomy, model->get(), cfg.policy, tags);
  return RunCheck(classifier, std::cin, std::cout) == 0 ? 0 : 1;
}

int RunExport(const ClassificationConfig& cfg) {
  auto redis = redis::Client::Create(cfg.redis);
  if (!redis.ok()) return Fatal("redis", redis.status());
  ClassificationStore store(**redis, cfg.redis_key_prefix, cfg.store);
  auto n = classification::ExportCorrections(store, std::cout);
  if (!n.ok()) return Fatal("export", n.status());
  std::fprintf(stderr, "classification: exported %zu corrections\n", *n);
  return 0;
}

int Serve(const ClassificationConfig& cfg) {
  auto rt = runtime::Runtime::Create("classification", cfg.server);
  if (!rt.ok()) return Fatal("runtime", rt.status());
  auto taxonomy = CreateTaxonomyReloader(cfg.taxonomy_file);
  if (!taxonomy.ok()) return Fatal("taxonomy", taxonomy.status());
  auto model = LoadModel(cfg);
  if (!model.ok()) return Fatal("sentiment model", model.status());
  auto redis = redis::Client::Create(cfg.redis);
  if (!redis.ok()) return Fatal("redis", redis.status());
  runtime::KafkaProbe probe((*rt)->registry(), "classification", {cfg.classified_topic, cfg.corrections_topic});
  auto producer = kafka::Producer::Create(cfg.producer, &probe);
  if (!producer.ok()) return Fatal("kafka producer", producer.status());
  auto consumer = kafka::Consumer::Create(cfg.consumer, &probe);
  if (!consumer.ok()) return Fatal("kafka consumer", consumer.status());

  std::unique_ptr<TagModelReloader> tags;
  if (!cfg.tag_model.empty()) {
    auto loaded = CreateTagModelReloader(cfg.tag_model);
    if (!loaded.ok()) return Fatal("tag model", loaded.status());
    tags = *std::move(loaded);
  }
  ClassificationMetrics metrics((*rt)->registry());
  ClassifierSource classifiers(**taxonomy, model->get(), cfg.policy, ModelVersion(cfg), tags.get());
  auto api_redis = redis::Client::Create(cfg.redis);  // API calls do not queue behind batches
  if (!api_redis.ok()) return Fatal("redis", api_redis.status());
  ImpactStore impact(**redis, cfg.redis_key_prefix, cfg.policy.impact.window);
  ClassificationStore store(**redis, cfg.redis_key_prefix, cfg.store);
  ClassificationStore api_store(**api_redis, cfg.redis_key_prefix, cfg.store);
  ClassificationProcessor processor(cfg, classifiers, impact, store, **producer, metrics);
  ClassificationGrpcService grpc_service(classifiers, api_store, **producer, cfg.corrections_topic,
                                         cfg.producer.message_timeout + absl::Seconds(5));
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  TopicsJob topics(cfg.topics, api_store, absl::StrCat(host, "-", getpid()));
  if (absl::Status s = (*rt)->ServeGrpc(
          {{pb::ClassificationService::service_full_name(), &grpc_service, ClassificationPermissions()}});
      !s.ok()) {
    return Fatal("grpc", s);
  }
  runtime::Signals& signals = (*rt)->signals();
  auto reload = [&](bool forced) {
    if (auto result = runtime::ReloadAndLog(**taxonomy, forced, "taxonomy file")) metrics.TaxonomyReload(*result);
    if (tags) (void)runtime::ReloadAndLog(*tags, forced, "tag model");
  };
  signals.OnReload([&] { reload(true); });
  log::Info("classification started", {{"taxonomy", (*taxonomy)->Current()->version()},
                                       {"problems", std::to_string((*taxonomy)->Current()->problems().size())},
                                       {"sentiment_model", ModelVersion(cfg)}});

  kafka::ConsumerLoopOptions options;
  options.max_batch = static_cast<size_t>(cfg.consume_batch);
  runtime::ConsumerWorker worker(
      **consumer, [&](const std::vector<kafka::Message>& b) { return processor.ProcessBatch(b); }, signals,
      options);
  runtime::PeriodicTask reload_poll(signals, cfg.taxonomy_poll, "taxonomy poll", [&] {
    reload(false);
    return absl::OkStatus();
  });
  runtime::PeriodicTask topics_job(signals, cfg.topics.interval, "emerging topics update",
                                   [&] { return topics.RunOnce(absl::Now()).status(); });

  signals.Wait();
  return (*rt)->Drain({.loops = {{"consumer", &worker}},
                       .background = {[&] { reload_poll.Join(); }, [&] { topics_job.Join(); }},
                       .consumers = {consumer->get()},
                       .producer = producer->get()});
}

}  // namespace
}  // namespace fbl::classification

int main(int argc, char** argv) {
  CLI::App app{"Feedback Loop classification service"};
  std::string config_path;
  app.add_option("--config", config_path, "YAML config file (FBL__SECTION__KEY env vars override it)");
  auto* check = app.add_subcommand(
      "check", "Dry run: JSON lines {\"id\",\"text\"[,\"product_model\",\"vip\"]} on stdin, results on stdout");
  check->add_option("--config", config_path, "YAML config file (taxonomy_file, sentiment_model, policy)");
  auto* export_corrections = app.add_subcommand(
      "export-corrections", "The latest correction per feedback as JSON lines for classification-train, on stdout");
  export_corrections->add_option("--config", config_path, "YAML config file (redis, redis_key_prefix)");
  CLI11_PARSE(app, argc, argv);
  auto cfg = fbl::config::Load<fbl::classification::ClassificationConfig>(config_path);
  if (!cfg.ok()) {
    std::fprintf(stderr, "classification: %s\n", std::string(cfg.status().message()).c_str());
    return 2;
  }
  if (check->parsed()) return fbl::classification::Check(*cfg);
  if (export_corrections->parsed()) return fbl::classification::RunExport(*cfg);
  return fbl::classification::Serve(*cfg);
}
