// Feeds real reviews (online_shopping_10_cats.csv, then waimai_10k.csv,
// cycling) to a raw topic as FeedbackSubmission records, like a channel
// connector: at full speed (--rate 0) or at a fixed rate, for --records
// records or --seconds seconds, whichever ends first. External ids are unique
// per run, so intake accepts every record. Prints `BENCH` lines for the suite.
// Needs FBL_KAFKA_BROKERS.
//   pipeline_feeder --topic T [--records N] [--rate R] [--seconds S] [--run ID]
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "feedback/v1/feedback.pb.h"
#include "libs/dataset/csv_reader.h"
#include "libs/kafka/producer.h"

int main(int argc, char** argv) {
  std::string topic = "feedback.raw.v1", run = std::to_string(absl::ToUnixMicros(absl::Now()));
  size_t records = 20000;
  double rate = 0, seconds = 1e9;
  for (int i = 1; i + 1 < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--topic") topic = argv[i + 1];
    if (a == "--records") records = std::strtoul(argv[i + 1], nullptr, 10);
    if (a == "--rate") rate = std::atof(argv[i + 1]);
    if (a == "--seconds") seconds = std::atof(argv[i + 1]);
    if (a == "--run") run = argv[i + 1];
  }
  const char* brokers = std::getenv("FBL_KAFKA_BROKERS");
  if (brokers == nullptr) {
    std::fprintf(stderr, "pipeline_feeder: FBL_KAFKA_BROKERS is not set\n");
    return 2;
  }
  std::vector<std::string> texts;
  for (const char* file : {"online_shopping_10_cats.csv", "waimai_10k.csv"}) {
    auto table = fbl::dataset::ReadCsvFile(absl::StrCat(FBL_DATA_DIR, "/", file));
    if (!table.ok()) {
      std::fprintf(stderr, "%s\n", std::string(table.status().message()).c_str());
      return 1;
    }
    const int col = table->Column("review");
    for (const auto& row : table->rows) {
      if (row.fields[col].find_first_not_of(" \t\r\n") != std::string::npos) texts.push_back(row.fields[col]);
    }
  }
  fbl::kafka::ProducerConfig pc;
  pc.brokers = brokers;
  auto producer = fbl::kafka::Producer::Create(pc);
  if (!producer.ok()) {
    std::fprintf(stderr, "%s\n", producer.status().ToString().c_str());
    return 1;
  }
  const absl::Time start = absl::Now(), end = start + absl::Seconds(seconds);
  const absl::Duration gap = rate > 0 ? absl::Seconds(1) / rate : absl::ZeroDuration();
  absl::Time next = start;
  size_t sent = 0;
  for (; sent < records && absl::Now() < end; ++sent) {
    ::feedbackloop::feedback::v1::FeedbackSubmission s;
    s.set_external_id(absl::StrCat("pipe-", run, "-", sent));
    s.set_source("bench");
    s.set_channel(::feedbackloop::common::v1::CHANNEL_ECOMMERCE_REVIEW);
    s.set_customer_id(absl::StrCat("cust-", run, "-", sent % 50000));
    s.set_text(texts[sent % texts.size()]);
    const std::string value = s.SerializeAsString();
    while (!(*producer)->Produce({topic, s.external_id(), value, {}}, nullptr).ok()) {
    }
    if (rate > 0) {
      next += gap;
      const absl::Duration wait = next - absl::Now();
      if (wait > absl::ZeroDuration()) absl::SleepFor(wait);
    }
  }
  if (!(*producer)->Flush(absl::Minutes(1)).ok()) return 1;
  const double took = absl::ToDoubleSeconds(absl::Now() - start);
  std::printf("BENCH feeder_sent %zu\nBENCH feeder_seconds %.3f\nBENCH feeder_rate %.1f\n", sent, took, sent / took);
  return 0;
}
