// The fault matrix (issue #10): the whole system — intake, classification,
// alerting, notifier, workorder and analytics, the real binaries — processes a
// stream of real complaints (car-owner complaint titles with real brake
// failures and fires, Black Cat complaints) while one fault strikes mid-stream:
//   kill -9 of each service (restarted at once), a Kafka broker restart, a
//   Redis restart (AOF on), a consumer paused past its session timeout (a
//   forced rebalance), and two replicas of every service at once.
// Then it counts end to end, by id, from the output topics (own consumer
// groups), the webhook receiver standing in for the pager, the notifier's
// delivery records and analytics' totals:
//   every raw record accepted or rejected once, every accepted feedback
//   classified once (same result on every copy), every due ticket opened once,
//   every feedback's red alert raised once and paged once per person, every
//   feedback counted once by analytics.
// Redelivery of the SAME message on a topic is allowed (at-least-once;
// consumers de-duplicate by id) and reported separately as "redelivered".
// Restarts the shared Kafka and Redis: ctest runs it alone (RUN_SERIAL).
//
// FBL_FAULT_RECORDS (default 300) records per fault; scripts/faults.sh runs more.
// FBL_FAULT_ONLY=<fault name substring> runs a subset.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "alerting/v1/alerting.pb.h"
#include "alerting/v1/notifier.grpc.pb.h"
#include "analytics/v1/analytics.grpc.pb.h"
#include "classification/v1/classification.pb.h"
#include "feedback/v1/feedback.pb.h"
#include "libs/dataset/csv_reader.h"
#include "libs/kafka/consumer.h"
#include "libs/kafka/producer.h"
#include "tests/e2e/service_process.h"
#include "tests/integration/notifier_http_receiver.h"
#include "tests/integration/test_env.h"
#include "workorder/v1/workorder.pb.h"

namespace fbl::testing {
namespace {

namespace fs = std::filesystem;
namespace apb = ::feedbackloop::alerting::v1;
namespace cpb = ::feedbackloop::classification::v1;
namespace fpb = ::feedbackloop::feedback::v1;
namespace npb = ::feedbackloop::analytics::v1;
namespace wpb = ::feedbackloop::workorder::v1;

constexpr char kSecret[] = "fault-matrix-webhook-secret-0123";
const std::vector<std::string> kServices = {"intake", "classification", "alerting", "notifier", "workorder", "analytics"};
const std::vector<std::string> kPeople = {"li.na", "wang.wei"};

int RecordsPerFault() {
  const char* v = std::getenv("FBL_FAULT_RECORDS");
  return v != nullptr && std::atoi(v) > 0 ? std::atoi(v) : 300;
}

std::string Binary(const std::string& service) {
  if (service == "intake") return FBL_INTAKE_BIN;
  if (service == "classification") return FBL_CLASSIFICATION_BIN;
  if (service == "alerting") return FBL_ALERTING_BIN;
  if (service == "notifier") return FBL_NOTIFIER_BIN;
  if (service == "workorder") return FBL_WORKORDER_BIN;
  return FBL_ANALYTICS_BIN;
}

// Real texts: every car complaint that names a brake failure or a fire (the
// red-alert cases), then other car complaints and Black Cat complaints, in
// alternation, deduplicated by text.
std::vector<fpb::FeedbackSubmission> RealSubmissions(size_t n, const std::string& source) {
  std::vector<fpb::FeedbackSubmission> out;
  std::set<std::string> texts;
  auto cars = dataset::ReadCsvFile(FBL_DATA_DIR "/car_complaints.csv");
  auto cats = dataset::ReadCsvFile(FBL_DATA_DIR "/blackcat_complaints.csv");
  if (!cars.ok() || !cats.ok()) return out;
  const int car_text = cars->Column("desc"), car_id = cars->Column("id");
  const int cat_title = cats->Column("投诉标题"), cat_text = cats->Column("投诉详情");
  auto add = [&](std::string id, std::string text, ::feedbackloop::common::v1::Channel channel) {
    if (out.size() >= n || text.find_first_not_of(" \t\r\n") == std::string::npos) return;
    if (!texts.insert(text).second) return;
    fpb::FeedbackSubmission s;
    s.set_external_id(std::move(id));
    s.set_source(source);
    s.set_channel(channel);
    s.set_customer_id(absl::StrCat("cust-", out.size()));
    s.set_text(std::move(text));
    out.push_back(std::move(s));
  };
  std::vector<size_t> red, other;
  for (size_t i = 0; i < cars->rows.size(); ++i) {
    const std::string& t = cars->rows[i].fields[car_text];
    (t.find("刹车失灵") != std::string::npos || t.find("自燃") != std::string::npos ? red : other).push_back(i);
  }
  for (size_t i : red) {
    add("car-" + cars->rows[i].fields[car_id], cars->rows[i].fields[car_text],
        ::feedbackloop::common::v1::CHANNEL_COMPLAINT_PLATFORM_OTHER);
  }
  size_t c = 0, b = 0;
  while (out.size() < n && (c < other.size() || b < cats->rows.size())) {
    if (b < cats->rows.size() && (c % 4 == 3 || c >= other.size())) {
      const auto& row = cats->rows[b++];
      add(absl::StrCat("bc-", b), row.fields[cat_title] + "\n" + row.fields[cat_text],
          ::feedbackloop::common::v1::CHANNEL_COMPLAINT_PLATFORM_BLACKCAT);
    }
    if (c < other.size()) {
      const auto& row = cars->rows[other[c++]];
      add("car-" + row.fields[car_id], row.fields[car_text], ::feedbackloop::common::v1::CHANNEL_COMPLAINT_PLATFORM_OTHER);
    }
  }
  // Spread the red-alert cases through the stream, so some arrive during the fault.
  for (size_t i = 0; i < red.size() && i < out.size(); ++i) std::swap(out[i], out[(i * 37) % out.size()]);
  return out;
}

// One process per replica, each with its own config file (so its pid is found by it).
struct Replica {
  std::string service;
  fs::path config;
  std::unique_ptr<ServiceProcess> process;
  // The pid, from /proc (ServiceProcess keeps it private): the process whose command line holds our config path.
  pid_t Pid() const {
    for (const auto& e : fs::directory_iterator("/proc")) {
      const std::string name = e.path().filename().string();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      std::ifstream in(e.path() / "cmdline");
      std::string cmd((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      std::replace(cmd.begin(), cmd.end(), '\0', ' ');
      if (cmd.find(Binary(service)) == 0 && cmd.find(config.string() + " ") != std::string::npos) {
        return static_cast<pid_t>(std::stoi(name));
      }
    }
    return -1;
  }
};

struct Row {
  std::string fault;
  size_t in = 0, out = 0, lost = 0, duplicated = 0, redelivered = 0;
  std::string detail;
};
std::vector<Row>& Table() {
  static std::vector<Row> rows;
  return rows;
}

// Prints the table once, after every test.
class TablePrinter : public ::testing::Environment {
 public:
  void TearDown() override {
    std::printf("\n%-34s %6s %6s %5s %10s %11s  %s\n", "fault", "in", "out", "lost", "duplicated", "redelivered",
                "detail");
    for (const auto& r : Table()) {
      std::printf("%-34s %6zu %6zu %5zu %10zu %11zu  %s\n", r.fault.c_str(), r.in, r.out, r.lost, r.duplicated,
                  r.redelivered, r.detail.c_str());
    }
    std::fflush(stdout);
  }
};
[[maybe_unused]] ::testing::Environment* const kTablePrinter = ::testing::AddGlobalTestEnvironment(new TablePrinter);

class FaultMatrixE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* only = std::getenv("FBL_FAULT_ONLY");
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    if (only != nullptr && *only != '\0' && name.find(only) == std::string::npos) GTEST_SKIP() << "FBL_FAULT_ONLY";
    dir_ = fs::temp_directory_path() / UniqueName("fault-matrix");
    fs::create_directories(dir_);
    ASSERT_EQ(RunCommand(std::string(FBL_SOURCE_DIR) + "/scripts/keyring.sh " + (dir_ / "keyring").string()).first, 0);
    raw_ = CreateTopic("fault.raw", 3);
    accepted_ = CreateTopic("fault.accepted", 3);
    rejected_ = CreateTopic("fault.rejected", 1);
    classified_ = CreateTopic("fault.classified", 3);
    corrections_ = CreateTopic("fault.corrections", 1);
    alerts_ = CreateTopic("fault.alerts", 3);
    tickets_ = CreateTopic("fault.tickets", 3);
    surveys_ = CreateTopic("fault.surveys", 1);
    run_ = UniqueName("fm");
  }
  void TearDown() override {
    for (auto& r : replicas_) r.process->Kill();
    if (!dir_.empty() && !HasFailure()) fs::remove_all(dir_);
  }

  std::string Config(const std::string& service) const {
    const std::string redis = RequireEnv("FBL_REDIS_ADDR");
    const std::string src = FBL_SOURCE_DIR;
    // One group and one key prefix per service and run: replicas share them.
    std::string c = absl::StrCat("kafka_brokers: ", KafkaBrokers(), "\nredis: {port: ", redis.substr(redis.find(':') + 1),
                                 ", reconnect_give_up_after: 60s}\n", "consumer: {group_id: ", run_, ".", service,
                                 ", session_timeout: ", session_timeout_, "}\n");
    // Intake keys its dedup records by source (unique per run); the others take a prefix.
    if (service != "intake") absl::StrAppend(&c, "redis_key_prefix: \"fbl:", run_, ":", service, ":\"\n");
    if (service == "intake") {
      absl::StrAppend(&c, "topics: {raw: ", raw_, ", accepted: ", accepted_, ", rejected: ", rejected_,
                      "}\nkeyring_file: ", (dir_ / "keyring").string(), "\nretry_backoff: 200ms\n");
    } else if (service == "classification") {
      absl::StrAppend(&c, "accepted_topic: ", accepted_, "\nclassified_topic: ", classified_,
                      "\ncorrections_topic: ", corrections_, "\ntaxonomy_file: ", src,
                      "/deploy/taxonomy/taxonomy.yaml\nsentiment_model: ", src,
                      "/models/sentiment-zh.ftz\ntag_model: ", src, "/models/tags-zh.ftz\n");
    } else if (service == "alerting") {
      absl::StrAppend(&c, "accepted_topic: ", accepted_, "\nalerts_topic: ", alerts_, "\nrules_file: ", src,
                      "/deploy/rules/red_alert.yaml\n");
    } else if (service == "notifier") {
      absl::StrAppend(&c, "alerts_topic: ", alerts_, "\nclaim_lease: 6s\npeople:\n");
      for (const auto& p : kPeople) {
        absl::StrAppend(&c, "  - {id: ", p, ", channels: [{type: webhook, address: \"", receiver_.Url("/pages/" + p),
                        "\"}]}\n");
      }
      absl::StrAppend(&c, "routes:\n  - {name: everyone, people: [", absl::StrJoin(kPeople, ", "),
                      "]}\nchannels:\n  webhook: {timeout: 5s, rate_per_second: 500, burst: 500}\n");
    } else if (service == "workorder") {
      absl::StrAppend(&c, "classified_topic: ", classified_, "\nalerts_topic: ", alerts_, "\nsurveys_topic: ", surveys_,
                      "\ntickets_topic: ", tickets_, "\n");
    } else {
      absl::StrAppend(&c, "classified_topic: ", classified_, "\ntickets_topic: ", tickets_, "\nsurveys_topic: ",
                      surveys_, "\nalerts_topic: ", alerts_, "\nstopwords_file: ", src,
                      "/deploy/analytics/stopwords.txt\nearly_warning: {enabled: false}\n");
    }
    return c;
  }

  // Starts `replicas` processes of every service.
  void StartAll(int replicas) {
    for (const auto& s : kServices) {
      for (int i = 0; i < replicas; ++i) {
        const fs::path work = dir_ / absl::StrCat(s, "-", i);
        fs::create_directories(work);
        Replica r{s, work / (s + ".yaml"), nullptr};
        std::ofstream(r.config.string()) << Config(s);
        r.process = std::make_unique<ServiceProcess>(
            Binary(s), std::vector<std::string>{"--config", r.config.string()},
            std::map<std::string, std::string>{{"FBL_NOTIFIER_WEBHOOK_SECRET", kSecret}}, work.string());
        ASSERT_TRUE(r.process->Start(std::chrono::seconds(60))) << s << ": " << r.process->Log();
        replicas_.push_back(std::move(r));
      }
    }
  }
  Replica& Of(const std::string& service, int i = 0) {
    for (auto& r : replicas_) {
      if (r.service == service && i-- == 0) return r;
    }
    return replicas_.front();
  }

  // Produces the stream (paced: ~20 s/1000 records) on a thread; `fault` runs
  // on this thread once a third of the records are out.
  void Stream(const std::function<void()>& fault) {
    subs_ = RealSubmissions(RecordsPerFault(), run_);
    ASSERT_GE(subs_.size(), static_cast<size_t>(RecordsPerFault()));
    std::atomic<size_t> produced{0};
    std::atomic<bool> flushed{false};
    std::thread connector([&] {
      kafka::ProducerConfig pc;
      pc.brokers = KafkaBrokers();
      pc.message_timeout = absl::Seconds(180);  // outlives a broker restart
      auto producer = kafka::Producer::Create(pc);
      if (!producer.ok()) return;
      for (const auto& s : subs_) {
        while (!(*producer)->Produce({raw_, s.external_id(), s.SerializeAsString(), {}}, nullptr).ok()) {
        }
        if (++produced % 25 == 0) absl::SleepFor(absl::Milliseconds(500));
      }
      flushed = (*producer)->Flush(absl::Seconds(180)).ok();
    });
    WaitFor([&] { return produced.load() >= subs_.size() / 3; }, std::chrono::seconds(60));
    fault();
    connector.join();
    ASSERT_TRUE(flushed.load()) << "the connector could not deliver the stream to feedback.raw";
  }

  void KillAndRestart(const std::string& service) {
    Replica& r = Of(service);
    r.process->Kill();
    ASSERT_TRUE(r.process->Start(std::chrono::seconds(90))) << service << ": " << r.process->Log();
  }

  // Reads the output topics and the side effects until every count settled, then
  // fills a table row and asserts zeros.
  void CountAndCheck(const std::string& fault, absl::Duration limit = absl::Seconds(120)) {
    kafka::ConsumerConfig cc;
    cc.brokers = KafkaBrokers();
    cc.group_id = UniqueName("fault-reader");
    cc.topics = {accepted_, rejected_, classified_, alerts_, tickets_};
    auto reader = kafka::Consumer::Create(cc);
    ASSERT_TRUE(reader.ok()) << reader.status();

    std::map<std::string, std::set<std::string>> accepted_ids;  // external id -> feedback ids
    std::set<std::string> rejected_ext;
    std::map<std::string, std::set<std::string>> results;  // feedback id -> distinct classification results
    std::map<std::string, int> classified_copies, alert_event_copies, ticket_event_copies;
    std::set<std::string> needs_action, countable;  // countable: not a near-duplicate (analytics counts once)
    std::map<std::string, std::set<std::string>> alerts_of;  // feedback id -> RAISED alert ids
    std::map<std::string, std::set<std::string>> tickets_of;  // feedback id -> CREATED ticket ids
    size_t raw_messages = 0;

    auto analytics_total = [&]() -> int64_t {
      auto stub = npb::AnalyticsService::NewStub(
          grpc::CreateChannel(Of("analytics").process->grpc_address(), grpc::InsecureChannelCredentials()));
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
      npb::GetDistributionRequest req;
      req.mutable_period()->mutable_start()->set_seconds(absl::ToUnixSeconds(absl::Now() - absl::Hours(72)));
      req.mutable_period()->mutable_end()->set_seconds(absl::ToUnixSeconds(absl::Now() + absl::Hours(48)));
      req.set_dimension(npb::DIMENSION_CHANNEL);
      npb::GetDistributionResponse resp;
      return stub->GetDistribution(&ctx, req, &resp).ok() ? resp.total() : -1;
    };
    // (alert, person) -> delivery state, from the notifier's records.
    auto delivery_states = [&](const std::set<std::string>& alerts) {
      std::map<std::pair<std::string, std::string>, apb::DeliveryState> out;
      auto stub = apb::NotifierService::NewStub(
          grpc::CreateChannel(Of("notifier").process->grpc_address(), grpc::InsecureChannelCredentials()));
      for (const auto& a : alerts) {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
        apb::ListDeliveriesRequest req;
        req.set_alert_id(a);
        apb::ListDeliveriesResponse resp;
        if (!stub->ListDeliveries(&ctx, req, &resp).ok()) continue;
        for (const auto& d : resp.deliveries()) out[{a, d.recipient()}] = d.state();
      }
      return out;
    };
    auto all_alerts = [&] {
      std::set<std::string> s;
      for (const auto& [f, ids] : alerts_of) s.insert(ids.begin(), ids.end());
      return s;
    };
    auto paged = [&](const std::map<std::pair<std::string, std::string>, apb::DeliveryState>& states) {
      size_t n = 0;
      for (const auto& [k, st] : states) n += st == apb::DELIVERY_STATE_SENT || st == apb::DELIVERY_STATE_GROUPED;
      return n;
    };

    const absl::Time deadline = absl::Now() + limit;
    absl::Time settled = absl::InfiniteFuture();
    absl::Time next_check = absl::Now();
    while (absl::Now() < deadline && absl::Now() < settled) {
      auto batch = (*reader)->Poll(1000, absl::Milliseconds(200));
      if (batch.ok()) {
        for (const auto& m : *batch) {
          ++raw_messages;
          if (m.topic == accepted_) {
            fpb::FeedbackRecord r;
            ASSERT_TRUE(r.ParseFromString(m.value));
            accepted_ids[r.external_id()].insert(r.feedback_id());
          } else if (m.topic == rejected_) {
            fpb::RejectedFeedback r;
            if (r.ParseFromString(m.value)) rejected_ext.insert(r.external_id());
          } else if (m.topic == classified_) {
            cpb::ClassifiedFeedback c;
            ASSERT_TRUE(c.ParseFromString(m.value));
            const std::string& id = c.feedback().feedback_id();
            ++classified_copies[id];
            std::string sig = absl::StrCat(c.priority(), "/", c.needs_action(), "/", c.problem_type(), "/",
                                           c.department(), "/", c.urgency(), "/");
            for (const auto& t : c.tags()) absl::StrAppend(&sig, t.code(), ",");
            results[id].insert(sig);
            if (c.needs_action()) needs_action.insert(id);
            if (c.feedback().duplicate_of().empty()) countable.insert(id);
          } else if (m.topic == alerts_) {
            apb::AlertEvent a;
            ASSERT_TRUE(a.ParseFromString(m.value));
            if (a.type() == apb::ALERT_EVENT_TYPE_RAISED) {
              ++alert_event_copies[a.event_id()];
              alerts_of[a.alert().feedback_id()].insert(a.alert().alert_id());
            }
          } else {
            wpb::TicketEvent e;
            ASSERT_TRUE(e.ParseFromString(m.value));
            if (e.type() == wpb::TICKET_EVENT_TYPE_CREATED) {
              ++ticket_event_copies[e.event_id()];
              for (const auto& f : e.ticket().feedback_ids()) tickets_of[f].insert(e.ticket_id());
            }
          }
        }
      }
      if (absl::Now() < next_check) continue;
      next_check = absl::Now() + absl::Seconds(1);
      std::set<std::string> accepted_fb;
      for (const auto& [e, ids] : accepted_ids) accepted_fb.insert(ids.begin(), ids.end());
      std::set<std::string> seen_ext = rejected_ext;
      for (const auto& [e, ids] : accepted_ids) seen_ext.insert(e);
      bool done = seen_ext.size() >= subs_.size() && classified_copies.size() >= accepted_fb.size();
      for (const auto& id : needs_action) done = done && tickets_of.contains(id);
      // The stream always holds red-alert texts: no alert yet means alerting
      // has not caught up (e.g. a restarted replica waits for the dead one's
      // session to time out before it gets the partitions).
      done = done && !alerts_of.empty();
      for (const auto& [id, a] : alerts_of) done = done && tickets_of.contains(id);
      done = done && analytics_total() >= static_cast<int64_t>(countable.size());
      if (done) {
        const auto alerts = all_alerts();
        done = paged(delivery_states(alerts)) >= alerts.size() * kPeople.size();
      }
      // Stragglers (late duplicates) for 3 s; a due item seen only then (its
      // classified record or alert read late) restarts the wait for it, e.g.
      // a ticket whose event sits in a killed replica's outbox until the
      // survivor reclaims it (relay_idle, 30 s).
      if (!done) {
        settled = absl::InfiniteFuture();
      } else if (settled == absl::InfiniteFuture()) {
        settled = absl::Now() + absl::Seconds(3);
      }
    }
    (*reader)->Close();

    // ---- count ----
    Row row;
    row.fault = fault;
    std::vector<std::string> notes;
    std::set<std::string> accepted_fb;
    size_t lost = 0, dup = 0, redelivered = 0;
    // intake: every raw record accepted or rejected, under one feedback id.
    size_t intake_lost = 0, intake_dup = 0;
    for (const auto& s : subs_) {
      auto it = accepted_ids.find(s.external_id());
      if (it == accepted_ids.end()) {
        intake_lost += !rejected_ext.contains(s.external_id());
        continue;
      }
      intake_dup += it->second.size() - 1;
      accepted_fb.insert(it->second.begin(), it->second.end());
    }
    // classification: each accepted feedback once, the same result on every copy.
    size_t cls_lost = 0, cls_dup = 0, cls_redelivered = 0;
    for (const auto& id : accepted_fb) cls_lost += !classified_copies.contains(id);
    for (const auto& [id, n] : classified_copies) {
      cls_redelivered += n - 1;
      cls_dup += results[id].size() - 1;
    }
    // alerting: one alert per feedback; workorder: one ticket per due feedback.
    size_t alert_dup = 0, alert_redelivered = 0, due = 0, ticket_lost = 0, ticket_dup = 0, ticket_redelivered = 0;
    for (const auto& [id, ids] : alerts_of) alert_dup += ids.size() - 1;
    for (const auto& [e, n] : alert_event_copies) alert_redelivered += n - 1;
    std::set<std::string> due_ids = needs_action;
    for (const auto& [id, a] : alerts_of) due_ids.insert(id);
    due = due_ids.size();
    for (const auto& id : due_ids) ticket_lost += !tickets_of.contains(id);
    for (const auto& [id, t] : tickets_of) ticket_dup += t.size() - 1;
    for (const auto& [e, n] : ticket_event_copies) ticket_redelivered += n - 1;
    // notifier: every (alert, person) sent or grouped into a storm; webhook requests by delivery id.
    const auto alerts = all_alerts();
    const auto states = delivery_states(alerts);
    const size_t pages_due = alerts.size() * kPeople.size();
    const size_t pages_done = paged(states);
    std::map<std::string, int> requests;  // X-FBL-Delivery-Id -> requests
    std::map<std::pair<std::string, std::string>, std::set<std::string>> page_ids;  // (alert, person) -> delivery ids
    for (const auto& r : receiver_.Requests()) {
      const std::string id = r.Header("X-FBL-Delivery-Id");
      ++requests[id];
      const auto colon = id.find(':'), slash = id.rfind('/');
      if (colon != std::string::npos && slash != std::string::npos) {
        page_ids[{id.substr(0, colon), id.substr(slash + 1)}].insert(id);
      }
    }
    size_t page_dup = 0, page_redelivered = 0;
    for (const auto& [k, ids] : page_ids) page_dup += ids.size() - 1;
    for (const auto& [id, n] : requests) page_redelivered += n - 1;
    // analytics: every non-duplicate classified feedback counted once.
    const int64_t counted = analytics_total();
    const int64_t want = static_cast<int64_t>(countable.size());

    lost = intake_lost + cls_lost + ticket_lost + (pages_due - std::min(pages_due, pages_done)) +
           static_cast<size_t>(std::max<int64_t>(0, want - counted));
    dup = intake_dup + cls_dup + alert_dup + ticket_dup + page_dup + static_cast<size_t>(std::max<int64_t>(0, counted - want));
    redelivered = cls_redelivered + alert_redelivered + ticket_redelivered + page_redelivered;
    row.in = subs_.size();
    row.out = accepted_fb.size() + rejected_ext.size();
    row.lost = lost;
    row.duplicated = dup;
    row.redelivered = redelivered;
    row.detail = absl::StrCat("acc ", accepted_fb.size(), " rej ", rejected_ext.size(), " | cls ",
                              classified_copies.size(), " | alerts ", alerts.size(), " pages ", pages_done, "/",
                              pages_due, " | tickets ", tickets_of.size(), "/", due, " due | analytics ", counted,
                              "/", want);
    Table().push_back(row);
    std::printf("%s: lost intake %zu cls %zu tickets %zu pages %zu analytics %lld; dup intake %zu cls %zu alerts %zu "
                "tickets %zu pages %zu; redelivered cls %zu alerts %zu tickets %zu webhooks %zu; %zu topic messages\n",
                fault.c_str(), intake_lost, cls_lost, ticket_lost, pages_due - std::min(pages_due, pages_done),
                static_cast<long long>(want - counted), intake_dup, cls_dup, alert_dup, ticket_dup, page_dup,
                cls_redelivered, alert_redelivered, ticket_redelivered, page_redelivered, raw_messages);
    EXPECT_GT(alerts.size(), 0u) << "no red alert in the stream: the fault did not reach the pager path";
    EXPECT_EQ(row.lost, 0u) << row.detail << Logs();
    EXPECT_EQ(row.duplicated, 0u) << row.detail << Logs();
  }

  std::string Logs() const {
    std::string out;
    for (const auto& r : replicas_) {
      const std::string log = r.process->Log();
      absl::StrAppend(&out, "\n--- ", r.service, " (", r.config.string(), ") last lines:\n",
                      log.substr(log.size() > 3000 ? log.size() - 3000 : 0));
    }
    return out;
  }

  fs::path dir_;
  std::string raw_, accepted_, rejected_, classified_, corrections_, alerts_, tickets_, surveys_, run_;
  std::string session_timeout_ = "6s";
  HttpReceiver receiver_;
  std::vector<Replica> replicas_;
  std::vector<fpb::FeedbackSubmission> subs_;
};

TEST_F(FaultMatrixE2eTest, NoFault) {
  StartAll(1);
  Stream([] {});
  CountAndCheck("none (baseline)");
}

// kill -9 of one service mid-stream, restarted at once (one row per service;
// TEST_F, not TEST_P: the test name goes into topic names, which allow no '/').
#define FBL_KILL_TEST(Name, service)                    \
  TEST_F(FaultMatrixE2eTest, Kill##Name) {              \
    StartAll(1);                                        \
    Stream([&] { KillAndRestart(service); });           \
    CountAndCheck(std::string("kill -9 ") + service);   \
  }
FBL_KILL_TEST(Intake, "intake")
FBL_KILL_TEST(Classification, "classification")
FBL_KILL_TEST(Alerting, "alerting")
FBL_KILL_TEST(Notifier, "notifier")
FBL_KILL_TEST(Workorder, "workorder")
FBL_KILL_TEST(Analytics, "analytics")
#undef FBL_KILL_TEST

TEST_F(FaultMatrixE2eTest, KafkaBrokerRestart) {
  StartAll(1);
  Stream([&] {
    auto [code, out] = RunCommand(std::string(FBL_SOURCE_DIR) + "/scripts/stack.sh restart kafka");
    ASSERT_EQ(code, 0) << out;
  });
  CountAndCheck("kafka broker restart", absl::Seconds(180));
}

TEST_F(FaultMatrixE2eTest, RedisRestartWithPersistence) {
  StartAll(1);
  Stream([&] {
    auto [code, out] = RunCommand(std::string(FBL_SOURCE_DIR) + "/scripts/stack.sh restart redis");
    ASSERT_EQ(code, 0) << out;
  });
  CountAndCheck("redis restart (AOF)", absl::Seconds(180));
}

// Two replicas of every service; one replica of classification and one of
// workorder are frozen (SIGSTOP) past the 3 s session timeout, so the group
// hands their partitions to the other replica, then thawed (SIGCONT) — a
// zombie finishing its batch after the rebalance.
TEST_F(FaultMatrixE2eTest, ConsumerPausedPastSessionTimeout) {
  session_timeout_ = "3s";
  StartAll(2);
  Stream([&] {
    const pid_t cls = Of("classification", 1).Pid(), wo = Of("workorder", 1).Pid();
    ASSERT_GT(cls, 0);
    ASSERT_GT(wo, 0);
    kill(cls, SIGSTOP);
    kill(wo, SIGSTOP);
    absl::SleepFor(absl::Seconds(6));  // twice the session timeout
    kill(cls, SIGCONT);
    kill(wo, SIGCONT);
  });
  CountAndCheck("pause consumer > session timeout");
}

TEST_F(FaultMatrixE2eTest, TwoReplicasOfEachService) {
  StartAll(2);
  Stream([] {});
  CountAndCheck("two replicas of each service");
}

// Two replicas of every service and each replica 0 killed (-9) in turn: the
// other replica takes over while it restarts.
TEST_F(FaultMatrixE2eTest, TwoReplicasKillOneOfEach) {
  StartAll(2);
  Stream([&] {
    for (const auto& s : kServices) {
      KillAndRestart(s);
      absl::SleepFor(absl::Milliseconds(700));
    }
  });
  CountAndCheck("2 replicas, kill -9 one of each");
}

}  // namespace
}  // namespace fbl::testing
