// The analytics service against the real Kafka and Redis: real car-owner
// complaints (shared/data/car_complaints.csv, real dates, models, variants and
// problem codes) go through feedback.classified.v1 into the aggregates; every
// query is checked against counts computed here, independently, from the
// same rows — also after the whole input is delivered a second time.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <map>
#include <set>
#include <thread>

#include <prometheus/registry.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "libs/dataset/csv_reader.h"
#include "libs/kafka/consumer.h"
#include "libs/kafka/consumer_loop.h"
#include "libs/kafka/producer.h"
#include "libs/redis/redis_client.h"
#include "libs/runtime/proto_time.h"
#include "services/analytics/analytics_service.h"
#include "survey/v1/survey.pb.h"
#include "tests/integration/test_env.h"

namespace fbl::analytics {
namespace {

namespace apb = ::feedbackloop::alerting::v1;
namespace cpb = ::feedbackloop::classification::v1;
namespace ppb = ::feedbackloop::common::v1;
namespace spb = ::feedbackloop::survey::v1;
namespace wpb = ::feedbackloop::workorder::v1;

using fbl::testing::CreateTopic;
using fbl::testing::KafkaBrokers;
using fbl::testing::UniqueName;
using fbl::testing::WaitFor;
using ::testing::HasSubstr;

absl::TimeZone Shanghai() {
  absl::TimeZone tz;
  EXPECT_TRUE(absl::LoadTimeZone("Asia/Shanghai", &tz));
  return tz;
}

absl::Time Day(int y, int m, int d, int h = 0) { return absl::FromCivil(absl::CivilHour(y, m, d, h), Shanghai()); }

ppb::Period Period(absl::Time a, absl::Time b) {
  ppb::Period p;
  *p.mutable_start() = runtime::ToProto(a);
  *p.mutable_end() = runtime::ToProto(b);
  return p;
}

// One real complaint with what the test expects analytics to see.
struct Row {
  std::string id, customer, channel, model, variant, l2, l3, text;
  absl::Time at;
};

// The real rows. Real: text, date, model, variant (as batch), problem codes
// (L2 = the system letter, L3 = the first code). Assigned here, not in the
// data: the hour of day, the channel and the customer (so that customers
// repeat and channels differ).
std::vector<Row> CarComplaints(const std::string& run) {
  auto table = dataset::ReadCsvFile(absl::StrCat(FBL_DATA_DIR, "/car_complaints.csv"));
  EXPECT_TRUE(table.ok()) << table.status();
  std::vector<Row> rows;
  if (!table.ok()) return rows;
  const int desc = table->Column("desc"), model = table->Column("car_model"), variant = table->Column("type"),
            problem = table->Column("problem"), date = table->Column("datetime"), id = table->Column("id");
  static const char* kChannels[] = {"CHANNEL_APP_FORM", "CHANNEL_SOCIAL_WEIBO", "CHANNEL_COMPLAINT_PLATFORM_OTHER"};
  for (const dataset::CsvRow& r : table->rows) {
    std::vector<std::string> codes = absl::StrSplit(r.fields[problem], ',', absl::SkipEmpty());
    absl::CivilDay day;
    if (codes.empty() || codes[0].empty() || !absl::ParseCivilTime(r.fields[date], &day)) continue;
    Row row;
    const int n = static_cast<int>(rows.size());
    row.id = absl::StrCat(run, "-", r.fields[id]);
    row.customer = absl::StrCat("cust-", n % 1700);
    row.channel = kChannels[n % 3];
    row.model = r.fields[model];
    row.variant = r.fields[variant];
    row.l2 = absl::StrCat("complaint.car_", codes[0].substr(0, 1));
    row.l3 = absl::StrCat(row.l2, ".", codes[0]);
    row.text = r.fields[desc];
    row.at = absl::FromCivil(absl::CivilHour(day.year(), day.month(), day.day(), 8 + n % 12), Shanghai());
    rows.push_back(std::move(row));
  }
  return rows;
}

cpb::ClassifiedFeedback Classified(const Row& r) {
  cpb::ClassifiedFeedback c;
  auto& f = *c.mutable_feedback();
  f.set_feedback_id(r.id);
  *f.mutable_submitted_at() = runtime::ToProto(r.at);
  *f.mutable_received_at() = runtime::ToProto(absl::Now());
  ppb::Channel channel{};
  ppb::Channel_Parse(r.channel, &channel);
  f.set_channel(channel);
  f.set_customer_pseudonym(r.customer);
  f.set_customer_type(ppb::CUSTOMER_TYPE_RETURNING);
  f.set_text(r.text);
  f.mutable_product()->set_model(r.model);
  f.mutable_product()->set_batch(r.variant);
  auto tag = [&](cpb::TagLevel level, const std::string& code, const std::string& name) {
    cpb::Tag* t = c.add_tags();
    t->set_level(level);
    t->set_code(code);
    t->set_name(name);
  };
  tag(cpb::TAG_LEVEL_L1, "complaint", "投诉");
  tag(cpb::TAG_LEVEL_L2, r.l2, "系统 " + r.l2.substr(r.l2.size() - 1));
  tag(cpb::TAG_LEVEL_L3, r.l3, "问题 " + r.l3.substr(r.l2.size() + 1));
  c.set_problem_type(cpb::PROBLEM_TYPE_PRODUCT_DEFECT);
  c.set_department("product");
  c.set_needs_action(true);
  return c;
}

class AnalyticsIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.kafka_brokers = KafkaBrokers();
    config_.producer.brokers = config_.consumer.brokers = config_.kafka_brokers;
    config_.classified_topic = CreateTopic("t.classified", 3);
    config_.tickets_topic = CreateTopic("t.tickets", 3);
    config_.surveys_topic = CreateTopic("t.surveys", 3);
    config_.alerts_topic = CreateTopic("t.alerts", 3);
    config_.consumer.group_id = UniqueName("analytics");
    config_.consumer.topics = {config_.classified_topic, config_.tickets_topic, config_.surveys_topic,
                               config_.alerts_topic};
    config_.redis_key_prefix = UniqueName("fbl:test:analytics") + ":";
    const std::string addr = fbl::testing::RequireEnv("FBL_REDIS_ADDR");
    config_.redis.port = std::stoi(addr.substr(addr.find(':') + 1));
    auto redis = redis::Client::Create(config_.redis);
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_ = std::move(*redis);
    auto producer = kafka::Producer::Create(config_.producer);
    ASSERT_TRUE(producer.ok()) << producer.status();
    producer_ = std::move(*producer);
    auto calendar = calendar::BusinessCalendar::Create(config_.calendar);
    ASSERT_TRUE(calendar.ok()) << calendar.status();
    calendar_ = std::make_unique<calendar::BusinessCalendar>(*calendar);
    auto keywords = keywords::Extractor::Create(FBL_STOPWORDS_FILE);
    ASSERT_TRUE(keywords.ok()) << keywords.status();
    keywords_ = std::move(*keywords);
    metrics_ = std::make_unique<AnalyticsMetrics>(registry_);
    store_ = std::make_unique<AggregateStore>(*redis_, config_.redis_key_prefix, config_.retention);
    input_ = std::make_unique<InputProcessor>(config_, *store_, *keywords_, buckets_, *calendar_, *metrics_);
    queries_ = std::make_unique<QueryEngine>(*store_, buckets_, *calendar_);
  }

  void Publish(const std::string& topic, const std::string& key, const std::string& value) {
    ASSERT_TRUE(producer_->Produce({topic, key, value, {}}, nullptr).ok());
  }

  // Consumes until `n` more records were processed (redeliveries included).
  void ConsumeAll(size_t n) {
    ASSERT_TRUE(producer_->Flush(absl::Seconds(30)).ok());
    auto consumer = kafka::Consumer::Create(config_.consumer);
    ASSERT_TRUE(consumer.ok()) << consumer.status();
    std::atomic<bool> stop{false};
    std::atomic<size_t> handled{0};
    std::thread loop([&] {
      absl::Status s = kafka::RunConsumerLoop(
          **consumer,
          [&](const std::vector<kafka::Message>& batch) {
            absl::Status r = input_->ProcessBatch(batch);
            if (r.ok()) handled += batch.size();
            return r;
          },
          [&] { return stop.load(); }, {});
      EXPECT_TRUE(s.ok()) << s;
    });
    EXPECT_TRUE(WaitFor([&] { return handled.load() >= n; }, std::chrono::seconds(120)))
        << handled.load() << " of " << n;
    stop = true;
    loop.join();
    (*consumer)->Close();
  }

  // Publishes the rows as classification does (key = customer).
  void Replay(const std::vector<Row>& rows) {
    for (const Row& r : rows) Publish(config_.classified_topic, r.customer, Classified(r).SerializeAsString());
  }

  // analytics_records_total{source, result}.
  double Records(const std::string& source, const std::string& result) {
    for (const auto& family : registry_.Collect()) {
      if (family.name != "analytics_records_total") continue;
      for (const auto& m : family.metric) {
        std::map<std::string, std::string> labels;
        for (const auto& l : m.label) labels[l.name] = l.value;
        if (labels["source"] == source && labels["result"] == result) return m.counter.value;
      }
    }
    return -1;
  }

  AnalyticsConfig config_;
  Buckets buckets_{Shanghai()};
  std::unique_ptr<redis::Client> redis_;
  std::unique_ptr<kafka::Producer> producer_;
  std::unique_ptr<calendar::BusinessCalendar> calendar_;
  std::unique_ptr<keywords::Extractor> keywords_;
  prometheus::Registry registry_;
  std::unique_ptr<AnalyticsMetrics> metrics_;
  std::unique_ptr<AggregateStore> store_;
  std::unique_ptr<InputProcessor> input_;
  std::unique_ptr<QueryEngine> queries_;
};

// Counts computed from the rows alone.
struct Expected {
  std::map<std::string, int64_t> count;
  std::map<std::string, std::set<std::string>> customers;
  int64_t total = 0;
};

Expected Expect(const std::vector<Row>& rows, absl::Time from, absl::Time to,
                const std::function<std::vector<std::string>(const Row&)>& values,
                const std::function<bool(const Row&)>& keep = nullptr) {
  Expected e;
  for (const Row& r : rows) {
    if (r.at < from || r.at >= to || (keep && !keep(r))) continue;
    ++e.total;
    for (const std::string& v : values(r)) {
      ++e.count[v];
      e.customers[v].insert(r.customer);
    }
  }
  return e;
}

void CheckQueries(QueryEngine& q, const std::vector<Row>& rows, const keywords::Extractor& kw) {
  // AN-1 by L2 over August 2020 (whole days) and over an hour-edged period.
  for (const auto& [from, to] : {std::pair{Day(2020, 8, 1), Day(2020, 9, 1)},
                                 std::pair{Day(2020, 8, 20, 13), Day(2020, 8, 27, 15)}}) {
    pb::GetDistributionRequest r;
    *r.mutable_period() = Period(from, to);
    r.set_dimension(pb::DIMENSION_TAG_L2);
    auto got = q.Distribution(r);
    ASSERT_TRUE(got.ok()) << got.status();
    const Expected e = Expect(rows, from, to, [](const Row& x) { return std::vector<std::string>{x.l2}; });
    ASSERT_GT(e.total, 100);
    EXPECT_EQ(got->total(), e.total);
    ASSERT_EQ(got->buckets_size(), static_cast<int>(e.count.size()));
    for (const pb::Bucket& b : got->buckets()) {
      EXPECT_EQ(b.count(), e.count.at(b.value())) << b.value();
      EXPECT_DOUBLE_EQ(b.share(), static_cast<double>(e.count.at(b.value())) / e.total);
      // Distinct customers come from HyperLogLogs of the touched days: within 2 %
      // for whole days (edge days may add customers from outside the hours).
      if (from == Day(2020, 8, 1)) {
        EXPECT_NEAR(b.distinct_customers(), e.customers.at(b.value()).size(), 1 + 0.02 * e.customers.at(b.value()).size());
      }
    }
  }
  // AN-1 with filters (facts): models of one channel and one system.
  {
    const absl::Time from = Day(2020, 6, 1), to = Day(2020, 9, 1);
    pb::GetDistributionRequest r;
    *r.mutable_period() = Period(from, to);
    r.set_dimension(pb::DIMENSION_PRODUCT_MODEL);
    pb::Filter* f = r.add_filters();
    f->set_dimension(pb::DIMENSION_CHANNEL);
    f->set_value("CHANNEL_SOCIAL_WEIBO");
    f = r.add_filters();
    f->set_dimension(pb::DIMENSION_TAG_L2);
    f->set_value("complaint.car_E");
    auto got = q.Distribution(r);
    ASSERT_TRUE(got.ok()) << got.status();
    const Expected e = Expect(
        rows, from, to, [](const Row& x) { return std::vector<std::string>{x.model}; },
        [](const Row& x) { return x.channel == "CHANNEL_SOCIAL_WEIBO" && x.l2 == "complaint.car_E"; });
    ASSERT_GT(e.total, 5);
    EXPECT_EQ(got->total(), e.total);
    for (const pb::Bucket& b : got->buckets()) {
      EXPECT_EQ(b.count(), e.count.at(b.value())) << b.value();
      EXPECT_EQ(b.distinct_customers(), static_cast<int64_t>(e.customers.at(b.value()).size()));  // exact from facts
    }
  }
  // AN-2: top 5 L3 of a month, with the previous month.
  {
    const absl::Time from = Day(2020, 8, 25), to = Day(2020, 8, 30);  // the previous 5 days: 08-20..24
    pb::GetTopProblemsRequest r;
    *r.mutable_period() = Period(from, to);
    auto got = q.TopProblems(r);
    ASSERT_TRUE(got.ok()) << got.status();
    const auto l3 = [](const Row& x) { return std::vector<std::string>{x.l3}; };
    const Expected now = Expect(rows, from, to, l3);
    const Expected before = Expect(rows, from - (to - from), from, l3);
    std::vector<std::pair<int64_t, std::string>> ranked;
    for (const auto& [code, n] : now.count) ranked.emplace_back(-n, code);
    std::sort(ranked.begin(), ranked.end());
    ASSERT_EQ(got->problems_size(), 5);
    for (int i = 0; i < 5; ++i) {
      const pb::RankedProblem& p = got->problems(i);
      EXPECT_EQ(p.rank(), i + 1);
      EXPECT_EQ(p.code(), ranked[i].second);
      EXPECT_EQ(p.count(), -ranked[i].first);
      const int64_t prev = before.count.contains(p.code()) ? before.count.at(p.code()) : 0;
      EXPECT_EQ(p.previous_count(), prev);
      if (prev > 0) {
        EXPECT_DOUBLE_EQ(p.change_rate(), static_cast<double>(p.count() - prev) / prev);
      }
      EXPECT_THAT(p.name(), HasSubstr("问题 "));
    }
  }
  // AN-3: weekly trend per channel, change vs the week before.
  {
    const absl::Time from = Day(2020, 8, 10), to = Day(2020, 9, 7);  // Mondays; data on 08-20..22, 08-25..29
    pb::GetTrendRequest r;
    *r.mutable_period() = Period(from, to);
    r.set_granularity(pb::GRANULARITY_WEEK);
    r.set_dimension(pb::DIMENSION_CHANNEL);
    auto got = q.Trend(r);
    ASSERT_TRUE(got.ok()) << got.status();
    ASSERT_EQ(got->series_size(), 3);
    for (const pb::Series& s : got->series()) {
      ASSERT_EQ(s.points_size(), 4);
      int64_t previous = Expect(rows, from - absl::Hours(168), from, [&](const Row& x) {
                           return x.channel == s.value() ? std::vector<std::string>{"n"} : std::vector<std::string>{};
                         }).count["n"];
      for (int i = 0; i < 4; ++i) {
        const absl::Time a = from + absl::Hours(168) * i;
        const int64_t n = Expect(rows, a, a + absl::Hours(168), [&](const Row& x) {
                            return x.channel == s.value() ? std::vector<std::string>{"n"} : std::vector<std::string>{};
                          }).count["n"];
        EXPECT_EQ(runtime::FromProto(s.points(i).start()), a);
        EXPECT_EQ(s.points(i).count(), n) << s.value() << " week " << i;
        if (previous > 0) {
          EXPECT_DOUBLE_EQ(s.points(i).change_rate(), static_cast<double>(n - previous) / previous);
        }
        EXPECT_EQ(s.points(i).has_change_rate(), previous > 0);
        previous = n;
      }
    }
  }
  // AN-4: keywords of a month = texts containing each term.
  {
    const absl::Time from = Day(2020, 8, 1), to = Day(2020, 9, 1);
    pb::GetKeywordsRequest r;
    *r.mutable_period() = Period(from, to);
    r.set_n(20);
    auto got = q.Keywords(r);
    ASSERT_TRUE(got.ok()) << got.status();
    const Expected e = Expect(rows, from, to, [&](const Row& x) { return kw.Terms(x.text); });
    ASSERT_EQ(got->keywords_size(), 20);
    EXPECT_DOUBLE_EQ(got->keywords(0).weight(), 1.0);
    for (const pb::Keyword& k : got->keywords()) EXPECT_EQ(k.count(), e.count.at(k.term())) << k.term();
    int64_t top = 0;
    for (const auto& [term, n] : e.count) top = std::max(top, n);
    EXPECT_EQ(got->keywords(0).count(), top);
  }
  // AN-7: one system across the three channels, daily.
  {
    const absl::Time from = Day(2020, 8, 19), to = Day(2020, 8, 31);
    pb::GetCorrelationRequest r;
    r.set_problem_code("complaint.car_E");
    *r.mutable_period() = Period(from, to);
    auto got = q.Correlation(r);
    ASSERT_TRUE(got.ok()) << got.status();
    ASSERT_EQ(got->series_size(), 3);
    ASSERT_EQ(got->pairs_size(), 3);
    std::map<std::string, std::vector<double>> series;
    for (const pb::Series& s : got->series()) {
      ASSERT_EQ(s.points_size(), 12);
      for (int d = 0; d < 12; ++d) {
        const absl::Time a = from + absl::Hours(24) * d;
        const int64_t n = Expect(rows, a, a + absl::Hours(24), [&](const Row& x) {
                            return x.channel == s.value() && x.l2 == "complaint.car_E" ? std::vector<std::string>{"n"}
                                                                                       : std::vector<std::string>{};
                          }).count["n"];
        EXPECT_EQ(s.points(d).count(), n);
        series[s.value()].push_back(static_cast<double>(n));
      }
    }
    for (const pb::ChannelPair& p : got->pairs()) {
      const auto& a = series[ppb::Channel_Name(p.a())];
      const auto& b = series[ppb::Channel_Name(p.b())];
      double ma = 0, mb = 0, cov = 0, va = 0, vb = 0;
      for (size_t i = 0; i < a.size(); ++i) ma += a[i] / a.size(), mb += b[i] / b.size();
      for (size_t i = 0; i < a.size(); ++i) {
        cov += (a[i] - ma) * (b[i] - mb), va += (a[i] - ma) * (a[i] - ma), vb += (b[i] - mb) * (b[i] - mb);
      }
      EXPECT_NEAR(p.coefficient(), cov / std::sqrt(va * vb), 1e-9);
    }
  }
  // AN-9: complaints of August vs June.
  {
    pb::CompareMetricRequest r;
    r.set_metric("complaints");
    *r.mutable_before() = Period(Day(2020, 6, 1), Day(2020, 7, 1));
    *r.mutable_after() = Period(Day(2020, 8, 1), Day(2020, 9, 1));
    r.set_target_change(-0.2);
    auto got = q.Compare(r);
    ASSERT_TRUE(got.ok()) << got.status();
    const auto all = [](const Row&) { return std::vector<std::string>{"n"}; };
    const double before = Expect(rows, Day(2020, 6, 1), Day(2020, 7, 1), all).total;
    const double after = Expect(rows, Day(2020, 8, 1), Day(2020, 9, 1), all).total;
    EXPECT_EQ(got->before(), before);
    EXPECT_EQ(got->after(), after);
    EXPECT_DOUBLE_EQ(got->change_rate(), (after - before) / before);
    EXPECT_EQ(got->target_met(), (after - before) / before <= -0.2);
    r.set_metric("nonsense");
    EXPECT_TRUE(absl::IsInvalidArgument(q.Compare(r).status()));
  }
}

TEST_F(AnalyticsIntegrationTest, RealComplaintsAggregateExactlyAlsoAfterRedelivery) {
  const std::vector<Row> rows = CarComplaints(UniqueName("fb"));
  ASSERT_GT(rows.size(), 2000u);
  Replay(rows);
  ConsumeAll(rows.size());
  CheckQueries(*queries_, rows, *keywords_);

  // The whole input again (a consumer group that lost its offsets): nothing changes.
  Replay(rows);
  ConsumeAll(rows.size());
  CheckQueries(*queries_, rows, *keywords_);
  EXPECT_EQ(Records("classified", "aggregated"), static_cast<double>(rows.size()));
  EXPECT_EQ(Records("classified", "redelivered"), static_cast<double>(rows.size()));
}

TEST_F(AnalyticsIntegrationTest, TicketsAndSurveysGiveKpisAndSatisfaction) {
  // Hand-written tickets and answers (the real data has none), in a Shanghai
  // working week: Monday 2026-11-16 09:00 onwards.
  const absl::Time monday = Day(2026, 11, 16, 9);
  auto ticket = [&](const std::string& id, int version, absl::Time created) {
    wpb::Ticket t;
    t.set_ticket_id(id);
    t.set_version(version);
    t.set_department(id.back() == '3' ? "logistics" : "product");
    *t.mutable_created_at() = runtime::ToProto(created);
    *t.mutable_response_due() = runtime::ToProto(created + absl::Hours(2));
    *t.mutable_resolution_due() = runtime::ToProto(created + absl::Hours(24));
    return t;
  };
  const std::string run = UniqueName("tk");
  std::vector<wpb::Ticket> events;
  // t1: answered after 1 h, resolved after 3 working hours, by alice.
  wpb::Ticket t1 = ticket(run + "-1", 1, monday);
  events.push_back(t1);
  t1.set_version(2);
  t1.set_assignee("alice");
  *t1.mutable_first_response_at() = runtime::ToProto(monday + absl::Hours(1));
  events.push_back(t1);
  t1.set_version(3);
  *t1.mutable_resolved_at() = runtime::ToProto(monday + absl::Hours(3) + absl::Minutes(90));  // 90 min lunch
  t1.set_state(wpb::TICKET_STATE_DONE);
  events.push_back(t1);
  // t2: answered after 30 min by bob, response deadline breached later anyway.
  wpb::Ticket t2 = ticket(run + "-2", 1, monday + absl::Hours(1));
  t2.set_assignee("bob");
  *t2.mutable_first_response_at() = runtime::ToProto(monday + absl::Hours(1) + absl::Minutes(30));
  t2.set_resolution_breached(true);
  events.push_back(t2);
  // t3: logistics, untouched.
  events.push_back(ticket(run + "-3", 1, monday + absl::Hours(2)));
  for (const wpb::Ticket& t : events) {
    wpb::TicketEvent e;
    e.set_event_id(UniqueName("ev"));
    e.set_ticket_id(t.ticket_id());
    *e.mutable_ticket() = t;
    Publish(config_.tickets_topic, t.ticket_id(), e.SerializeAsString());
  }
  // An old version delivered late must not win.
  {
    wpb::TicketEvent stale;
    stale.set_event_id(UniqueName("ev"));
    *stale.mutable_ticket() = ticket(run + "-1", 1, monday);
    Publish(config_.tickets_topic, run + "-1", stale.SerializeAsString());
  }
  // Survey answers: t1 (CSAT 5, NPS 10) on the app, t2 (CSAT 2, NPS 3) on Weibo, twice.
  auto answer = [&](const std::string& rid, const std::string& tid, int csat, int nps, ppb::Channel ch) {
    spb::SurveyResponse s;
    s.set_response_id(rid);
    s.set_ticket_id(tid);
    s.set_csat(csat);
    s.set_nps(nps);
    s.set_channel(ch);
    *s.mutable_responded_at() = runtime::ToProto(monday + absl::Hours(30));
    Publish(config_.surveys_topic, tid, s.SerializeAsString());
  };
  answer(run + "-r1", run + "-1", 5, 10, ppb::CHANNEL_APP_FORM);
  answer(run + "-r2", run + "-2", 2, 3, ppb::CHANNEL_SOCIAL_WEIBO);
  answer(run + "-r2", run + "-2", 2, 3, ppb::CHANNEL_SOCIAL_WEIBO);  // redelivered
  ConsumeAll(events.size() + 1 + 3);

  const ppb::Period week = Period(Day(2026, 11, 16), Day(2026, 11, 23));
  pb::GetServiceKpisRequest kr;
  *kr.mutable_period() = week;
  auto k = queries_->ServiceKpis(kr);
  ASSERT_TRUE(k.ok()) << k.status();
  EXPECT_EQ(k->tickets(), 3);
  EXPECT_DOUBLE_EQ(k->first_response_p50_seconds(), 1800);  // {1800, 3600}
  EXPECT_DOUBLE_EQ(k->first_response_p90_seconds(), 3600);
  EXPECT_DOUBLE_EQ(k->resolution_p50_seconds(), 3 * 3600);  // lunch break excluded
  EXPECT_DOUBLE_EQ(k->resolution_rate(), 1.0 / 3);
  EXPECT_DOUBLE_EQ(k->sla_compliance(), 2.0 / 3);
  EXPECT_DOUBLE_EQ(k->tickets_per_agent(), 1.0);
  kr.set_department("logistics");
  k = queries_->ServiceKpis(kr);
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->tickets(), 1);

  pb::GetSatisfactionRequest sr;
  *sr.mutable_period() = week;
  sr.set_group_by(pb::DIMENSION_DEPARTMENT);
  auto s = queries_->Satisfaction(sr);
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->points_size(), 1);  // both answered tickets are "product"; one weekly bucket
  EXPECT_EQ(s->points(0).group(), "product");
  EXPECT_EQ(s->points(0).responses(), 2);
  EXPECT_DOUBLE_EQ(s->points(0).csat(), 3.5);
  EXPECT_DOUBLE_EQ(s->points(0).nps(), 0);  // one promoter, one detractor
  sr.set_group_by(pb::DIMENSION_CHANNEL);
  s = queries_->Satisfaction(sr);
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->points_size(), 2);
  EXPECT_EQ(s->points(0).group(), "CHANNEL_APP_FORM");
  EXPECT_DOUBLE_EQ(s->points(0).nps(), 100);
  EXPECT_DOUBLE_EQ(s->points(1).nps(), -100);

  pb::CompareMetricRequest cr;
  cr.set_metric("sla_compliance");
  *cr.mutable_before() = Period(Day(2026, 11, 9), Day(2026, 11, 16));
  *cr.mutable_after() = week;
  auto c = queries_->Compare(cr);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->before(), 0);
  EXPECT_DOUBLE_EQ(c->after(), 2.0 / 3);
  EXPECT_FALSE(c->has_change_rate());  // undefined from 0
  EXPECT_FALSE(c->target_met());
}

TEST_F(AnalyticsIntegrationTest, InjectedSurgeRaisesOneQualityRiskAlert) {
  // The real complaints (collected on 22 days), plus an injected surge: the
  // most complained-about model's real rows copied (new ids) into 08-28 and
  // 08-29, two collection days, each getting max(2μ, 10) extra reports, μ its
  // mean on the collection days of the four weeks before.
  std::vector<Row> rows = CarComplaints(UniqueName("fb"));
  std::map<std::string, int> per_model;
  for (const Row& r : rows) ++per_model[r.model];
  const auto top = std::max_element(per_model.begin(), per_model.end(),
                                    [](const auto& a, const auto& b) { return a.second < b.second; });
  const std::string model = top->first;
  const absl::Time day1 = Day(2020, 8, 28);
  int usual = 0;
  std::set<std::string> days;
  for (const Row& r : rows) {
    if (r.at < day1 - absl::Hours(24 * 28) || r.at >= day1) continue;
    days.insert(absl::FormatTime("%F", r.at, Shanghai()));
    usual += r.model == model;
  }
  const double mu = static_cast<double>(usual) / days.size();
  const int per_day = std::max(10, static_cast<int>(std::ceil(2 * mu)));
  std::vector<Row> surge;
  for (int d = 0; d < 2; ++d) {
    int added = 0;
    for (const Row& r : rows) {
      if (r.model != model || added == per_day) continue;
      Row copy = r;
      copy.id = absl::StrCat(r.id, "-surge", d, "-", added);
      copy.at = day1 + absl::Hours(24 * d + 9 + added % 8);
      surge.push_back(copy);
      ++added;
    }
  }
  rows.insert(rows.end(), surge.begin(), surge.end());
  Replay(rows);
  ConsumeAll(rows.size());

  config_.early_warning.dimensions = {"model"};
  std::vector<Warning> published;
  EarlyWarning ew(config_.early_warning, *store_, *queries_, WarningPublisher(*producer_, config_, *metrics_), "test");
  // A day without surge first: nothing about the model.
  auto quiet = ew.RunOnce(day1 + absl::Hours(1));
  ASSERT_TRUE(quiet.ok()) << quiet.status();
  for (const Warning& w : *quiet) EXPECT_NE(w.event.alert().labels().at("value"), model);
  // The surge days close: one alert for the first, none again for the second (same episode).
  auto first = ew.RunOnce(day1 + absl::Hours(25));
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = ew.RunOnce(day1 + absl::Hours(49));
  ASSERT_TRUE(second.ok()) << second.status();
  int about_model = 0;
  for (const auto* batch : {&*first, &*second}) {
    for (const Warning& w : *batch) {
      if (w.event.alert().labels().at("value") != model) continue;
      ++about_model;
      EXPECT_EQ(w.event.alert().kind(), apb::ALERT_KIND_QUALITY_RISK);
      EXPECT_THAT(w.event.alert().summary(), HasSubstr(model));
      published.push_back(w);
    }
  }
  EXPECT_EQ(about_model, 1) << model << ": usual " << mu << " a collection day, injected " << per_day << " a day";
  // A re-run of a window already evaluated publishes nothing.
  auto rerun = ew.RunOnce(day1 + absl::Hours(49));
  ASSERT_TRUE(rerun.ok());
  EXPECT_TRUE(rerun->empty());

  // The alert is on alerts.v1, keyed by its id.
  ASSERT_FALSE(published.empty());
  kafka::ConsumerConfig c;
  c.brokers = KafkaBrokers();
  c.group_id = UniqueName("reader");
  c.topics = {config_.alerts_topic};
  auto consumer = kafka::Consumer::Create(c);
  ASSERT_TRUE(consumer.ok());
  bool seen = false;
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (!seen && absl::Now() < deadline) {
    auto batch = (*consumer)->Poll(100, absl::Milliseconds(200));
    ASSERT_TRUE(batch.ok());
    for (const kafka::Message& m : *batch) {
      apb::AlertEvent e;
      ASSERT_TRUE(e.ParseFromString(m.value));
      seen = seen || (m.key == published[0].event.alert().alert_id() && e.type() == apb::ALERT_EVENT_TYPE_RAISED);
    }
  }
  (*consumer)->Close();
  EXPECT_TRUE(seen);
}

TEST_F(AnalyticsIntegrationTest, WeeklyReportHasEveryPart) {
  const std::vector<Row> rows = CarComplaints(UniqueName("fb"));
  Replay(rows);
  ConsumeAll(rows.size());
  wpb::ImprovementPlan plan;  // hand-written plan for the week's top problem
  ReportBuilder reports(*queries_, [&]() -> absl::StatusOr<std::vector<wpb::ImprovementPlan>> {
    return std::vector<wpb::ImprovementPlan>{plan};
  }, [] { return Day(2020, 9, 2); });
  const Span week = reports.DefaultPeriod(pb::REPORT_KIND_WEEKLY);
  EXPECT_EQ(week.start, Day(2020, 8, 24));
  EXPECT_EQ(week.end, Day(2020, 8, 31));
  pb::GetTopProblemsRequest tr;
  *tr.mutable_period() = Period(week.start, week.end);
  auto top = queries_->TopProblems(tr);
  ASSERT_TRUE(top.ok() && top->problems_size() > 0);
  plan.set_problem("刹车异响 brake noise");
  plan.add_tag_codes(top->problems(0).code());
  plan.set_owner("quality-team");
  plan.set_root_cause("供应商刹车片批次问题");
  plan.add_measures("更换供应商");

  pb::GenerateReportRequest r;
  r.set_kind(pb::REPORT_KIND_WEEKLY);
  auto got = reports.Generate(r);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(runtime::FromProto(got->period().start()), week.start);
  EXPECT_THAT(got->html(), HasSubstr("<svg"));
  EXPECT_THAT(got->html(), HasSubstr(top->problems(0).name()));
  EXPECT_THAT(got->html(), HasSubstr("供应商刹车片批次问题"));
  auto data = report::ParseJson(got->json());
  ASSERT_TRUE(data.ok()) << data.status();
  const Expected e = Expect(rows, week.start, week.end, [](const Row& x) { return std::vector<std::string>{x.l2}; });
  EXPECT_EQ(data->overview.feedback, e.total);
  EXPECT_EQ(data->overview.complaints, e.total);
  EXPECT_EQ(data->top5.size(), std::min<size_t>(5, top->problems_size()));
  ASSERT_FALSE(data->core_problems.empty());
  ASSERT_EQ(data->core_problems[0].plans.size(), 1u);
  EXPECT_FALSE(data->keywords.empty());
  EXPECT_FALSE(data->suggestions.empty());
  r.set_kind(pb::REPORT_KIND_UNSPECIFIED);
  EXPECT_TRUE(absl::IsInvalidArgument(reports.Generate(r).status()));
}

}  // namespace
}  // namespace fbl::analytics
