// Analytics aggregation throughput against the same Redis's raw command rate.
// Real online-shopping reviews become classified records (L1 from the
// review's label, L2/L3 from its product category; channel, customer and
// day assigned here), then:
//   full        InputProcessor::ProcessBatch: parse, keywords, one Lua call per batch
//   store only  AggregateStore::AddFeedback with the writes prepared beforehand
// next to `redis-benchmark -P 64 HINCRBY` in the same run, divided by the
// Redis operations one record costs (every HINCRBY, PFADD, ZINCRBY, HSET,
// EXPIRE and the applied marker in the script): the record rate Redis could
// absorb doing only those operations.
// Needs FBL_REDIS_ADDR (scripts/bench.sh sets it) and redis-benchmark on PATH.
//   analytics_bench [--records N]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <prometheus/registry.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/dataset/csv_reader.h"
#include "libs/redis/redis_client.h"
#include "libs/runtime/proto_time.h"
#include "services/analytics/analytics_service.h"
#include "services/analytics/dimensions.h"

namespace fbl {
namespace {

namespace an = ::fbl::analytics;
namespace cpb = ::feedbackloop::classification::v1;
namespace ppb = ::feedbackloop::common::v1;

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "analytics_bench: %s\n", why.c_str());
  std::exit(1);
}

std::vector<kafka::Message> Records(int n, const std::string& topic) {
  auto table = dataset::ReadCsvFile(absl::StrCat(FBL_DATA_DIR, "/online_shopping_10_cats.csv"));
  if (!table.ok()) Die(std::string(table.status().message()));
  static const ppb::Channel kChannels[] = {ppb::CHANNEL_ECOMMERCE_REVIEW, ppb::CHANNEL_APP_FORM,
                                           ppb::CHANNEL_SOCIAL_WEIBO};
  const absl::Time start = absl::Now() - absl::Hours(24 * 30);
  std::vector<kafka::Message> out;
  for (int i = 0; static_cast<int>(out.size()) < n; ++i) {
    const auto& row = table->rows[i % table->rows.size()].fields;
    if (row.size() < 3 || row[2].empty()) continue;
    cpb::ClassifiedFeedback c;
    auto& f = *c.mutable_feedback();
    f.set_feedback_id(absl::StrCat("bench-", absl::ToUnixMicros(absl::Now()), "-", out.size()));
    f.set_channel(kChannels[out.size() % 3]);
    f.set_customer_pseudonym(absl::StrCat("c", out.size() % 5000));
    f.set_text(row[2]);
    *f.mutable_received_at() = runtime::ToProto(start + absl::Seconds(out.size() * 2592000 / n));
    const bool complaint = row[1] == "0";
    auto tag = [&](cpb::TagLevel level, std::string code) {
      cpb::Tag* t = c.add_tags();
      t->set_level(level);
      t->set_code(std::move(code));
    };
    const std::string l1 = complaint ? "complaint" : "praise";
    tag(cpb::TAG_LEVEL_L1, l1);
    tag(cpb::TAG_LEVEL_L2, absl::StrCat(l1, ".", row[0]));
    tag(cpb::TAG_LEVEL_L3, absl::StrCat(l1, ".", row[0], ".general"));
    c.set_problem_type(complaint ? cpb::PROBLEM_TYPE_PRODUCT_DEFECT : cpb::PROBLEM_TYPE_OTHER);
    c.set_department("product");
    kafka::Message m;
    m.topic = topic;
    m.value = c.SerializeAsString();
    out.push_back(std::move(m));
  }
  return out;
}

double RedisHincrbyRate(const std::string& host, const std::string& port) {
  const std::string cmd = absl::StrCat("redis-benchmark -h ", host, " -p ", port,
                                       " -n 400000 -P 64 -c 4 --csv HINCRBY fbl:bench:analytics:h f 1 2>/dev/null");
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) Die("cannot run redis-benchmark");
  std::string out;
  char buf[512];
  while (fgets(buf, sizeof(buf), p) != nullptr) out += buf;
  pclose(p);
  // The last line: "<title>","rps",...
  const size_t line = out.rfind('\n', out.size() >= 2 ? out.size() - 2 : 0);
  const std::string last = out.substr(line == std::string::npos ? 0 : line + 1);
  const size_t a = last.find("\",\"");
  if (a == std::string::npos) Die("cannot parse redis-benchmark output: " + out);
  const size_t b = last.find('"', a + 3);
  double rps = 0;
  if (!absl::SimpleAtod(last.substr(a + 3, b - a - 3), &rps)) Die("cannot parse redis-benchmark rps: " + last);
  return rps;
}

int Run(int n) {
  const char* addr = std::getenv("FBL_REDIS_ADDR");
  if (addr == nullptr) Die("FBL_REDIS_ADDR is not set (run scripts/bench.sh)");
  const std::string a(addr);
  const std::string host = a.substr(0, a.find(':')), port = a.substr(a.find(':') + 1);
  an::AnalyticsConfig cfg;
  cfg.redis.host = host;
  cfg.redis.port = std::stoi(port);
  auto redis = redis::Client::Create(cfg.redis);
  if (!redis.ok()) Die(std::string(redis.status().message()));
  auto calendar = calendar::BusinessCalendar::Create(cfg.calendar);
  if (!calendar.ok()) Die(std::string(calendar.status().message()));
  auto keywords = keywords::Extractor::Create(absl::StrCat(FBL_SOURCE_DIR, "/deploy/analytics/stopwords.txt"));
  if (!keywords.ok()) Die(std::string(keywords.status().message()));
  absl::TimeZone zone;
  absl::LoadTimeZone(cfg.calendar.time_zone, &zone);
  const an::Buckets buckets(zone);
  prometheus::Registry registry;
  an::AnalyticsMetrics metrics(registry);
  constexpr size_t kBatch = 500;

  auto timed = [](auto&& fn) {
    const auto t0 = std::chrono::steady_clock::now();
    fn();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };

  // Full path.
  const std::vector<kafka::Message> records = Records(n, cfg.classified_topic);
  an::AggregateStore full_store(**redis, absl::StrCat("fbl:bench:analytics:", absl::ToUnixMicros(absl::Now()), ":"),
                                cfg.retention);
  an::InputProcessor input(cfg, full_store, **keywords, buckets, *calendar, metrics);
  const double full_s = timed([&] {
    for (size_t i = 0; i < records.size(); i += kBatch) {
      std::vector<kafka::Message> batch(records.begin() + i, records.begin() + std::min(records.size(), i + kBatch));
      if (absl::Status s = input.ProcessBatch(batch); !s.ok()) Die(std::string(s.message()));
    }
  });

  // Store only, writes prepared beforehand (new ids, new prefix).
  std::vector<an::AggregateStore::FeedbackWrite> writes;
  double ops = 0;
  for (const kafka::Message& m : Records(n, cfg.classified_topic)) {
    cpb::ClassifiedFeedback c;
    c.ParseFromString(m.value);
    an::AggregateStore::FeedbackWrite w;
    w.fact = an::ToFact(c, (*keywords)->Terms(c.feedback().text()));
    const absl::Time at = absl::FromUnixSeconds(w.fact.at_seconds());
    w.hour = buckets.HourLabel(at);
    w.day = buckets.DayLabel(at);
    w.fields = an::CounterFields(w.fact);
    w.distinct_fields = an::DistinctFields(w.fact);
    w.names = an::TagNames(c);
    // SET marker; 2 HINCRBY per field; HSET + EXPIRE fact; ZINCRBY per term + EXPIRE; HSET per name;
    // PFADD per distinct field (EXPIREs of new keys not counted).
    ops += 1 + 2.0 * w.fields.size() + 2 + w.fact.terms_size() + (w.fact.terms_size() > 0) + w.names.size() +
           w.distinct_fields.size();
    writes.push_back(std::move(w));
  }
  ops /= writes.size();
  an::AggregateStore store(**redis, absl::StrCat("fbl:bench:analytics:", absl::ToUnixMicros(absl::Now()), ":"),
                           cfg.retention);
  const double store_s = timed([&] {
    for (size_t i = 0; i < writes.size(); i += kBatch) {
      std::vector<an::AggregateStore::FeedbackWrite> batch(writes.begin() + i,
                                                           writes.begin() + std::min(writes.size(), i + kBatch));
      auto r = store.AddFeedback(batch);
      if (!r.ok()) Die(std::string(r.status().message()));
    }
  });
  // Redelivery of everything: only the applied markers are checked.
  const double again_s = timed([&] {
    for (size_t i = 0; i < writes.size(); i += kBatch) {
      std::vector<an::AggregateStore::FeedbackWrite> batch(writes.begin() + i,
                                                           writes.begin() + std::min(writes.size(), i + kBatch));
      auto r = store.AddFeedback(batch);
      if (!r.ok()) Die(std::string(r.status().message()));
    }
  });

  const double hincrby = RedisHincrbyRate(host, port);
  const double redis_records = hincrby / ops;
  std::printf("analytics aggregation, %d real reviews, batches of %zu, one connection:\n", n, kBatch);
  std::printf("  full path (parse, keywords, Lua)  %10.0f records/s\n", n / full_s);
  std::printf("  store only (Lua per batch)        %10.0f records/s\n", n / store_s);
  std::printf("  redelivery (applied markers)      %10.0f records/s\n", n / again_s);
  std::printf("  redis-benchmark HINCRBY -P 64     %10.0f ops/s  / %.1f Redis ops per record = %.0f records/s\n",
              hincrby, ops, redis_records);
  std::printf("  ratio store only / Redis-bound     %10.2f\n", (n / store_s) / redis_records);
  std::printf("  ratio full path / Redis-bound      %10.2f\n", (n / full_s) / redis_records);
  return 0;
}

}  // namespace
}  // namespace fbl

int main(int argc, char** argv) {
  int n = 20000;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--records") n = std::atoi(argv[i + 1]);
  }
  if (n <= 0) {
    std::fprintf(stderr, "usage: analytics_bench [--records N]\n");
    return 2;
  }
  return fbl::Run(n);
}
