// Baselines for the suite (scripts/bench.sh), measured against the same
// broker in the same run as the service figures:
//   kafka produce  — real reviews as FeedbackSubmission records, produced and
//                    acknowledged with the project's producer settings
//                    (idempotent, acks=all; linger 2 ms and 10 ms), warm
//   kafka consume  — the same records read back by a group consumer in
//                    batches of 500 (the services' consume_batch)
//   kafka one hop  — produce → consume latency of one real record (p50/p99)
//   grpc echo      — grpc.health.v1 Check against a trivial server
//                    (runtime::GrpcServer with no services): p50/p99 of one
//                    client, calls/s of 4 concurrent clients
// Prints a table and one `BENCH <key> <value>` line per figure for the suite.
// Needs FBL_KAFKA_BROKERS (scripts/bench.sh sets it).
//   baseline_bench [--records N] [--samples N] [--grpc-seconds S]
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "bench/latency.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "libs/dataset/csv_reader.h"
#include "libs/kafka/admin.h"
#include "libs/kafka/consumer.h"
#include "libs/kafka/producer.h"
#include "libs/runtime/grpc_server.h"
#include "feedback/v1/feedback.pb.h"

namespace fbl {
namespace {

namespace fpb = ::feedbackloop::feedback::v1;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "baseline_bench: %s\n", what.c_str());
  std::exit(1);
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) Die(absl::StrCat(name, " is not set (run scripts/bench.sh)"));
  return v;
}

std::string Topic(const std::string& brokers, const std::string& prefix, int partitions) {
  const std::string name = absl::StrCat("bench.", prefix, ".", absl::ToUnixMicros(absl::Now()));
  auto admin = kafka::Admin::Create(brokers);
  if (!admin.ok() || !(*admin)->EnsureTopics({{name, partitions, 1, absl::Hours(1)}}, absl::Seconds(20)).ok()) {
    Die(absl::StrCat("cannot create topic ", name));
  }
  return name;
}

using bench::Percentiles;
using bench::Summarize;

void Result(const std::string& key, double value) { std::printf("BENCH %s %.3f\n", key.c_str(), value); }

std::vector<fpb::FeedbackSubmission> RealSubmissions(size_t n) {
  std::vector<fpb::FeedbackSubmission> subs;
  const std::string run = std::to_string(absl::ToUnixMicros(absl::Now()));
  for (const char* file : {"online_shopping_10_cats.csv", "waimai_10k.csv"}) {
    auto table = dataset::ReadCsvFile(absl::StrCat(FBL_DATA_DIR, "/", file));
    if (!table.ok()) Die(std::string(table.status().message()));
    const int col = table->Column("review");
    for (const auto& row : table->rows) {
      if (subs.size() == n) return subs;
      if (row.fields[col].find_first_not_of(" \t\r\n") == std::string::npos) continue;
      fpb::FeedbackSubmission s;
      s.set_external_id(absl::StrCat("base-", run, "-", subs.size()));
      s.set_source("bench");
      s.set_channel(::feedbackloop::common::v1::CHANNEL_ECOMMERCE_REVIEW);
      s.set_customer_id(absl::StrCat("cust-", subs.size()));
      s.set_text(row.fields[col]);
      subs.push_back(std::move(s));
    }
  }
  return subs;
}

int Run(size_t records, int samples, double grpc_seconds, int partitions) {
  const std::string brokers = Env("FBL_KAFKA_BROKERS");
  const auto subs = RealSubmissions(records);
  records = subs.size();
  std::vector<std::string> values;
  size_t bytes = 0;
  for (const auto& s : subs) {
    values.push_back(s.SerializeAsString());
    bytes += values.back().size();
  }
  std::printf("baselines: %zu real reviews (mean record %zu bytes), %d partitions, brokers %s\n", records,
              bytes / std::max<size_t>(1, records), partitions, brokers.c_str());

  // --- raw produce: the project's producer settings, at the alert path's
  // linger (2 ms) and the bulk producers' (10 ms, deploy/local); the faster
  // one is the baseline. Each producer first sends a warm-up that is not
  // timed (connection, producer id), so the figure is the steady rate, as
  // the pipeline's long-running producers see it; timing 20,000 records
  // from a cold start measured mostly the connection (~20k/s instead of
  // ~300k/s here). ---
  const std::string topic = Topic(brokers, "base", partitions);
  auto timed_produce = [&](absl::Duration linger) {
    kafka::ProducerConfig pc;
    pc.brokers = brokers;
    pc.linger = linger;
    auto p = kafka::Producer::Create(pc);
    if (!p.ok()) Die(p.status().ToString());
    auto send = [&](size_t from, size_t to) {
      for (size_t i = from; i < to; ++i) {
        while (!(*p)->Produce({topic, subs[i].external_id(), values[i], {}}, nullptr).ok()) {
        }
      }
      if (!(*p)->Flush(absl::Minutes(1)).ok()) Die("flush");
    };
    send(0, std::min<size_t>(records, 2000));
    // Whole passes over the records until at least a second has passed.
    const absl::Time t0 = absl::Now();
    size_t sent = 0;
    while (sent == 0 || absl::Now() - t0 < absl::Seconds(1)) {
      send(0, records);
      sent += records;
    }
    return sent / absl::ToDoubleSeconds(absl::Now() - t0);
  };
  const double produce_2ms = timed_produce(absl::Milliseconds(2));
  const double produce_10ms = timed_produce(absl::Milliseconds(10));
  kafka::ProducerConfig pc;
  pc.brokers = brokers;
  auto producer = kafka::Producer::Create(pc);
  if (!producer.ok()) Die(producer.status().ToString());

  // --- raw consume: a group consumer, batches of 500 ---
  kafka::ConsumerConfig cc;
  cc.brokers = brokers;
  cc.group_id = absl::StrCat("bench-base-", absl::ToUnixMicros(absl::Now()));
  cc.topics = {topic};
  auto reader = kafka::Consumer::Create(cc);
  if (!reader.ok()) Die(reader.status().ToString());
  size_t read = 0;
  while (read == 0) read += (*reader)->Poll(500, absl::Milliseconds(100))->size();  // group join
  absl::Time t0 = absl::Now();
  while (read < records) read += (*reader)->Poll(500, absl::Milliseconds(100))->size();
  const double consume_s = absl::ToDoubleSeconds(absl::Now() - t0);
  (*reader)->Close();

  // --- one hop: produce → consume of one real record, project settings ---
  const std::string hop_topic = Topic(brokers, "hop", partitions);
  kafka::ConsumerConfig hc = cc;
  hc.group_id = absl::StrCat("bench-hop-", absl::ToUnixMicros(absl::Now()));
  hc.topics = {hop_topic};
  // The topic is new and empty: "earliest" cannot skip a probe produced
  // before the consumer resolved its start offset (which "latest" can).
  hc.auto_offset_reset = "earliest";
  auto hop_consumer = kafka::Consumer::Create(hc);
  if (!hop_consumer.ok()) Die(hop_consumer.status().ToString());
  while ((*hop_consumer)->AssignedPartitions() == 0) (void)(*hop_consumer)->Poll(10, absl::Milliseconds(100));
  std::vector<double> hop_ms;
  for (int i = -5; i < samples; ++i) {  // 5 warm-up rounds are not counted
    const std::string key = absl::StrCat("hop-", i, "-", absl::ToUnixNanos(absl::Now()));
    const absl::Time sent = absl::Now();
    (void)(*producer)->Produce({hop_topic, key, values[(i + 5) % values.size()], {}}, nullptr);
    bool seen = false;
    while (!seen) {
      if (absl::Now() - sent > absl::Seconds(30)) Die("one hop: a probe did not arrive within 30 s");
      auto got = (*hop_consumer)->Poll(10, absl::Milliseconds(100));
      for (const auto& m : got.ok() ? *got : std::vector<kafka::Message>{}) seen |= m.key == key;
    }
    if (i >= 0) hop_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - sent));
    absl::SleepFor(absl::Milliseconds(10));
  }
  (*hop_consumer)->Close();
  const Percentiles hop = Summarize(hop_ms);

  // --- gRPC echo: grpc.health.v1 Check on a server with nothing else ---
  auto server = runtime::GrpcServer::Start("127.0.0.1:0", {});
  if (!server.ok()) Die(server.status().ToString());
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*server)->port()), grpc::InsecureChannelCredentials());
  auto check = [](grpc::health::v1::Health::Stub& stub) {
    grpc::health::v1::HealthCheckRequest req;
    grpc::health::v1::HealthCheckResponse resp;
    grpc::ClientContext ctx;
    return stub.Check(&ctx, req, &resp).ok();
  };
  std::vector<double> grpc_ms;
  {
    auto stub = grpc::health::v1::Health::NewStub(channel);
    for (int i = 0; i < 100; ++i) (void)check(*stub);  // warm-up
    const absl::Time end = absl::Now() + absl::Seconds(grpc_seconds / 2);
    while (absl::Now() < end) {
      const absl::Time t = absl::Now();
      if (check(*stub)) grpc_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - t));
    }
  }
  constexpr int kClients = 4;
  std::atomic<int64_t> calls{0};
  const absl::Time gstart = absl::Now(), gend = gstart + absl::Seconds(grpc_seconds / 2);
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&] {
      auto stub = grpc::health::v1::Health::NewStub(channel);
      while (absl::Now() < gend) calls += check(*stub);
    });
  }
  for (auto& t : clients) t.join();
  const double grpc_rate = calls.load() / absl::ToDoubleSeconds(absl::Now() - gstart);
  const Percentiles grpc = Summarize(grpc_ms);
  (*server)->Shutdown(absl::Seconds(1));

  const double produce_rate = std::max(produce_2ms, produce_10ms), consume_rate = records / consume_s;
  std::printf("\n%-46s %14s\n", "baseline", "figure");
  std::printf("%-46s %11.0f /s\n", "kafka produce (acks=all, idempotent, linger 2ms)", produce_2ms);
  std::printf("%-46s %11.0f /s\n", "kafka produce (same, linger 10ms)", produce_10ms);
  std::printf("%-46s %11.0f /s\n", "kafka consume (group, batch 500)", consume_rate);
  std::printf("%-46s %11.0f /s\n", "kafka one-hop throughput (min of the two)", std::min(produce_rate, consume_rate));
  std::printf("%-46s %8.2f / %.2f / %.2f ms\n", "kafka one hop p50 / p99 / max", hop.p50, hop.p99, hop.max);
  std::printf("%-46s %8.3f / %.3f ms\n", "grpc echo (health Check) p50 / p99, 1 client", grpc.p50, grpc.p99);
  std::printf("%-46s %11.0f /s\n", "grpc echo calls, 4 clients", grpc_rate);
  Result("kafka_produce_rate", produce_rate);
  Result("kafka_produce_2ms_rate", produce_2ms);
  Result("kafka_produce_10ms_rate", produce_10ms);
  Result("kafka_consume_rate", consume_rate);
  Result("kafka_one_hop_rate", std::min(produce_rate, consume_rate));
  Result("kafka_hop_p50_ms", hop.p50);
  Result("kafka_hop_p99_ms", hop.p99);
  Result("kafka_record_bytes", static_cast<double>(bytes) / records);
  Result("grpc_echo_p50_ms", grpc.p50);
  Result("grpc_echo_p99_ms", grpc.p99);
  Result("grpc_echo_rate", grpc_rate);
  return 0;
}

}  // namespace
}  // namespace fbl

int main(int argc, char** argv) {
  size_t records = 20000;
  int samples = 200, partitions = 3;
  double grpc_seconds = 4;
  for (int i = 1; i + 1 < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--records") records = std::strtoul(argv[i + 1], nullptr, 10);
    if (a == "--samples") samples = std::atoi(argv[i + 1]);
    if (a == "--grpc-seconds") grpc_seconds = std::atof(argv[i + 1]);
    if (a == "--partitions") partitions = std::atoi(argv[i + 1]);
  }
  return fbl::Run(records, samples, grpc_seconds, partitions);
}
