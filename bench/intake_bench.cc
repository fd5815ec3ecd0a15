// Intake throughput on real reviews, next to a raw Kafka baseline measured in
// the same run against the same broker:
//   raw produce   — records/s produced and acknowledged (acks=all, idempotent)
//   raw consume   — records/s read back by a group consumer
//   intake kafka  — records/s from feedback.raw to feedback.accepted, committed
//   intake grpc   — records/s through SubmitFeedbackBatch (batches of 100, 4 clients)
// Needs FBL_KAFKA_BROKERS and FBL_REDIS_ADDR (scripts/bench.sh sets them).
//   intake_bench [--records N]
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <prometheus/registry.h>

#include "absl/strings/str_cat.h"
#include "libs/dataset/csv_reader.h"
#include "libs/kafka/admin.h"
#include "libs/kafka/consumer.h"
#include "libs/kafka/consumer_loop.h"
#include "libs/privacy/keyring.h"
#include "libs/redis/redis_client.h"
#include "libs/runtime/grpc_server.h"
#include "services/intake/intake_service.h"

namespace fbl::intake {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) {
    std::fprintf(stderr, "intake_bench: %s is not set (run scripts/bench.sh)\n", name);
    std::exit(2);
  }
  return v;
}

std::string Topic(const std::string& brokers, const std::string& prefix) {
  const std::string name = absl::StrCat("bench.", prefix, ".", absl::ToUnixMicros(absl::Now()));
  auto admin = kafka::Admin::Create(brokers);
  if (!admin.ok() || !(*admin)->EnsureTopics({{name, 3, 1, absl::Hours(1)}}, absl::Seconds(20)).ok()) {
    std::fprintf(stderr, "cannot create topic %s\n", name.c_str());
    std::exit(1);
  }
  return name;
}

double Rate(size_t n, absl::Duration d) { return static_cast<double>(n) / absl::ToDoubleSeconds(d); }

int Run(size_t records) {
  const std::string brokers = Env("FBL_KAFKA_BROKERS");
  const std::string redis_addr = Env("FBL_REDIS_ADDR");

  // Real reviews: e-commerce then food delivery, as submissions.
  std::vector<pb::FeedbackSubmission> subs;
  for (const char* file : {"online_shopping_10_cats.csv", "waimai_10k.csv"}) {
    auto table = dataset::ReadCsvFile(absl::StrCat(FBL_DATA_DIR, "/", file));
    if (!table.ok()) {
      std::fprintf(stderr, "%s\n", std::string(table.status().message()).c_str());
      return 1;
    }
    const int col = table->Column("review");
    for (const auto& row : table->rows) {
      if (subs.size() == records) break;
      if (row.fields[col].find_first_not_of(" \t\r\n") == std::string::npos) continue;
      pb::FeedbackSubmission s;
      s.set_external_id(absl::StrCat("bench-", absl::ToUnixMicros(absl::Now()), "-", subs.size()));
      s.set_source("bench");
      s.set_channel(::feedbackloop::common::v1::CHANNEL_ECOMMERCE_REVIEW);
      s.set_customer_id(absl::StrCat("cust-", subs.size() % 5000));
      s.set_text(row.fields[col]);
      subs.push_back(std::move(s));
    }
  }
  records = subs.size();
  std::printf("intake benchmark: %zu real reviews, brokers %s, redis %s\n", records, brokers.c_str(),
              redis_addr.c_str());

  // --- baseline: raw produce and consume of the same bytes ---
  kafka::ProducerConfig pc;
  pc.brokers = brokers;
  auto producer = kafka::Producer::Create(pc);
  if (!producer.ok()) return 1;
  const std::string raw = Topic(brokers, "raw");
  absl::Time t0 = absl::Now();
  for (const auto& s : subs) {
    while (!(*producer)->Produce({raw, s.external_id(), s.SerializeAsString(), {}}, nullptr).ok()) {
    }
  }
  if (!(*producer)->Flush(absl::Minutes(1)).ok()) return 1;
  const absl::Duration produce_time = absl::Now() - t0;

  kafka::ConsumerConfig cc;
  cc.brokers = brokers;
  cc.group_id = absl::StrCat("bench-raw-", absl::ToUnixMicros(absl::Now()));
  cc.topics = {raw};
  auto reader = kafka::Consumer::Create(cc);
  if (!reader.ok()) return 1;
  size_t read = 0;
  // Wait for the first record (group join) before timing.
  while (read == 0) read += (*reader)->Poll(1000, absl::Milliseconds(100))->size();
  t0 = absl::Now();
  while (read < records) read += (*reader)->Poll(1000, absl::Milliseconds(100))->size();
  const absl::Duration consume_time = absl::Now() - t0;
  (*reader)->Close();

  // --- intake from Kafka ---
  IntakeConfig cfg;
  cfg.topics.raw = raw;
  cfg.topics.accepted = Topic(brokers, "accepted");
  cfg.topics.rejected = Topic(brokers, "rejected");
  cfg.producer.brokers = cfg.consumer.brokers = brokers;
  cfg.consumer.group_id = absl::StrCat("bench-intake-", absl::ToUnixMicros(absl::Now()));
  cfg.consumer.topics = {raw};
  cfg.redis.port = std::stoi(redis_addr.substr(redis_addr.find(':') + 1));
  auto ring = privacy::Keyring::Parse(privacy::Keyring::GenerateLine("pseudonym", "p", true) + "\n" +
                                          privacy::Keyring::GenerateLine("contact", "c", true),
                                      "bench");
  auto redis = redis::Client::Create(cfg.redis);
  if (!ring.ok() || !redis.ok()) return 1;
  DedupStore dedup(**redis, cfg.dedup);
  RecordBuilder builder(*text::Normalizer::Create(), text::VagueDetector(), *privacy::Pseudonymizer::Create(*ring),
                        *privacy::Sealer::Create(*ring));
  prometheus::Registry registry;
  IntakeMetrics metrics(registry);
  IntakeProcessor processor(cfg, builder, dedup, **producer, metrics);
  auto consumer = kafka::Consumer::Create(cfg.consumer);
  if (!consumer.ok()) return 1;
  size_t processed = 0;
  absl::Time start = absl::InfiniteFuture();
  kafka::ConsumerLoopOptions options;
  absl::Status s = kafka::RunConsumerLoop(
      **consumer,
      [&](const std::vector<kafka::Message>& batch) {
        if (start == absl::InfiniteFuture()) start = absl::Now();  // after the group join
        absl::Status st = processor.ProcessBatch(batch);
        if (st.ok()) processed += batch.size();
        return st;
      },
      [&] { return processed >= records; }, options);
  if (!s.ok()) return 1;
  const absl::Duration intake_kafka_time = absl::Now() - start;

  // --- intake over gRPC (fresh external ids) ---
  IntakeGrpcService service(processor, cfg);
  auto server = runtime::GrpcServer::Start("127.0.0.1:0", {{api::IntakeService::service_full_name(), &service}});
  if (!server.ok()) return 1;
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*server)->port()), grpc::InsecureChannelCredentials());
  constexpr int kClients = 4;
  constexpr int kBatch = 100;
  std::atomic<size_t> accepted{0};
  t0 = absl::Now();
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      auto stub = api::IntakeService::NewStub(channel);
      for (size_t i = c * kBatch; i < subs.size(); i += kClients * kBatch) {
        api::SubmitFeedbackBatchRequest req;
        for (size_t j = i; j < std::min(subs.size(), i + kBatch); ++j) {
          auto* sub = req.add_submissions();
          *sub = subs[j];
          sub->set_external_id("grpc-" + subs[j].external_id());
        }
        api::SubmitFeedbackBatchResponse resp;
        grpc::ClientContext ctx;
        if (stub->SubmitFeedbackBatch(&ctx, req, &resp).ok()) {
          for (const auto& r : resp.results()) accepted += r.has_response();
        }
      }
    });
  }
  for (auto& t : clients) t.join();
  const absl::Duration grpc_time = absl::Now() - t0;

  const double produce_rate = Rate(records, produce_time);
  const double consume_rate = Rate(records, consume_time);
  const double baseline = std::min(produce_rate, consume_rate);
  std::printf("\n%-34s %12s %10s\n", "stage", "records/s", "vs raw");
  std::printf("%-34s %12.0f %10s\n", "raw produce (acks=all)", produce_rate, "-");
  std::printf("%-34s %12.0f %10s\n", "raw consume", consume_rate, "-");
  std::printf("%-34s %12.0f %9.2fx\n", "intake from kafka (raw->accepted)", Rate(processed, intake_kafka_time),
              Rate(processed, intake_kafka_time) / baseline);
  std::printf("%-34s %12.0f %9.2fx\n", "intake over grpc (batch 100, 4 cl)", Rate(accepted, grpc_time),
              Rate(accepted, grpc_time) / baseline);
  std::printf("(vs raw = ratio to min(raw produce, raw consume); grpc accepted %zu of %zu)\n", accepted.load(),
              records);
  std::printf("BENCH intake_kafka_rate %.1f\nBENCH intake_grpc_rate %.1f\nBENCH intake_raw_baseline_rate %.1f\n",
              Rate(processed, intake_kafka_time), Rate(accepted, grpc_time), baseline);
  return accepted == records ? 0 : 1;
}

}  // namespace
}  // namespace fbl::intake

int main(int argc, char** argv) {
  size_t records = 20000;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--records") records = std::strtoul(argv[i + 1], nullptr, 10);
  }
  return fbl::intake::Run(records);
}
