// Ticket transitions: N tickets created through TicketService, then walked
// pending -> in_progress -> awaiting_verification -> done -> closed (4
// transitions each) by T client threads, each with its own Redis connection,
// TicketStore and TicketService (like T replicas); then one comment per
// ticket. Prints ops/s and latency p50/p99, next to `redis-benchmark` running
// the same Lua apply script (TicketStore's kApply) with the arguments of a
// real transition, at the same concurrency, in the same run.
// Needs FBL_REDIS_ADDR (scripts/bench.sh sets it) and redis-benchmark on PATH.
//   workorder_bench [--tickets N] [--threads T]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "bench/latency.h"
#include "libs/redis/redis_client.h"
#include "libs/calendar/business_calendar.h"
#include "services/workorder/ticket_service.h"
#include "services/workorder/ticket_store.h"

namespace fbl {
namespace {

namespace wo = ::fbl::workorder;
namespace pb = ::feedbackloop::workorder::v1;
namespace ppb = ::feedbackloop::common::v1;

// Hand-written (the benchmark needs one fixed text of a typical complaint's size).
constexpr const char* kSummary =
    "订单已经超过承诺送达时间三天了，物流信息一直停在中转站没有更新，客服电话打了两次都说在催，"
    "但是没有任何结果。商品是给孩子的生日礼物，现在已经错过了。希望尽快给个明确的处理方案，"
    "要么马上送到，要么全额退款并赔偿运费。";

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "workorder_bench: %s\n", what.c_str());
  std::exit(1);
}

template <typename T>
T Check(absl::StatusOr<T> v, const char* what) {
  if (!v.ok()) Die(absl::StrCat(what, ": ", v.status().ToString()));
  return *std::move(v);
}

struct Stats {
  double per_second, p50_ms, p99_ms;
};
Stats Summarize(std::vector<double> ms, double seconds) {
  const bench::Percentiles p = bench::Summarize(ms);
  return {static_cast<double>(ms.size()) / seconds, p.p50, p.p99};
}

// One "replica": its own connection, store and service.
struct Replica {
  std::unique_ptr<redis::Client> redis;
  std::unique_ptr<calendar::BusinessCalendar> calendar;
  std::unique_ptr<wo::TicketStore> store;
  std::unique_ptr<wo::TicketService> service;
};
Replica MakeReplica(const redis::RedisConfig& rc, const std::string& prefix) {
  Replica r;
  r.redis = Check(redis::Client::Create(rc), "redis connect");
  r.calendar = std::make_unique<calendar::BusinessCalendar>(Check(calendar::BusinessCalendar::Create(calendar::CalendarSpec{}), "calendar"));
  r.store = std::make_unique<wo::TicketStore>(*r.redis, prefix);
  r.service = std::make_unique<wo::TicketService>(*r.store, *r.calendar, wo::TicketPolicy{}, [] { return absl::Now(); });
  return r;
}

pb::CreateTicketRequest NewTicket(const std::string& run, int i) {
  pb::CreateTicketRequest r;
  r.set_feedback_id(absl::StrCat("fb-", run, "-", i));
  r.set_title("物流延误 超过承诺送达时间");
  r.set_summary(kSummary);
  r.set_priority(ppb::PRIORITY_P2_IMPORTANT);
  r.set_department("logistics");
  r.set_customer_pseudonym(absl::StrCat("p1:c", i % 997, "k0qk3t5l2m8x"));
  r.add_tags("complaint.logistics");
  r.add_tags("complaint.logistics.late_delivery");
  r.set_actor("classification");
  r.set_origin(pb::TICKET_ORIGIN_FEEDBACK);
  r.set_problem_type("PROBLEM_TYPE_LOGISTICS");
  return r;
}

// Runs `work(replica, index)` for every index in [0, n) split over the
// replicas; returns every call's latency (ms) and the wall time (s).
template <typename Work>
std::pair<std::vector<double>, double> Parallel(std::vector<Replica>& replicas, int n, const Work& work) {
  const int t = static_cast<int>(replicas.size());
  std::vector<std::vector<double>> lat(t);
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int k = 0; k < t; ++k) {
    threads.emplace_back([&, k] {
      for (int i = k; i < n; i += t) work(replicas[k], i, lat[k]);
    });
  }
  for (auto& th : threads) th.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::vector<double> all;
  for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
  return {std::move(all), seconds};
}

double Since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// For the shell: one single-quoted word. Arguments cannot carry NUL bytes,
// so those become 0x01 (same size; the script never looks inside).
std::string Quote(std::string s) {
  std::replace(s.begin(), s.end(), '\0', '\x01');
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

struct Baseline {
  double rps = 0, p50_ms = 0, p99_ms = 0;
};

// `redis-benchmark --csv` ends with "<title>","rps","avg","min","p50","p95","p99","max".
// The title is the whole command (binary arguments included), so parse from the end.
Baseline ParseCsv(const std::string& out) {
  std::string s = out;
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == '"')) s.pop_back();
  std::vector<std::string> fields;
  for (int i = 0; i < 7; ++i) {
    const size_t at = s.rfind("\",\"");
    if (at == std::string::npos) Die("cannot parse redis-benchmark output:\n" + out.substr(out.size() > 400 ? out.size() - 400 : 0));
    fields.push_back(s.substr(at + 3));
    s.resize(at);
  }
  std::reverse(fields.begin(), fields.end());  // rps avg min p50 p95 p99 max
  Baseline b;
  if (!absl::SimpleAtod(fields[0], &b.rps) || !absl::SimpleAtod(fields[3], &b.p50_ms) ||
      !absl::SimpleAtod(fields[5], &b.p99_ms)) {
    Die("cannot parse redis-benchmark figures");
  }
  return b;
}

int Run(int tickets, int threads) {
  const char* addr = std::getenv("FBL_REDIS_ADDR");
  if (addr == nullptr) Die("FBL_REDIS_ADDR is not set (run scripts/bench.sh)");
  redis::RedisConfig rc;
  const std::vector<std::string> hp = absl::StrSplit(std::string(addr), ':');
  rc.host = hp[0];
  if (hp.size() != 2 || !absl::SimpleAtoi(hp[1], &rc.port)) Die(absl::StrCat("bad FBL_REDIS_ADDR ", addr));
  const std::string run = std::to_string(absl::ToUnixMicros(absl::Now()));
  const std::string prefix = absl::StrCat("fbl:bench:wo:", run, ":");

  std::vector<Replica> replicas;
  for (int k = 0; k < threads; ++k) replicas.push_back(MakeReplica(rc, prefix));
  std::printf("workorder: %d tickets, %d client threads (each its own Redis connection, TicketStore, TicketService)\n",
              tickets, threads);

  // 1. Creation.
  std::vector<std::string> ids(tickets);
  auto [create_ms, create_s] = Parallel(replicas, tickets, [&](Replica& r, int i, std::vector<double>& lat) {
    const auto t0 = std::chrono::steady_clock::now();
    ids[i] = Check(r.service->Create(NewTicket(run, i)), "create").ticket.ticket_id();
    lat.push_back(Since(t0));
  });

  // 2. Transitions: every ticket walks the happy path, passing the version it
  //    holds (as API callers do). Tickets are split by thread, so no conflicts.
  static constexpr pb::TicketState kPath[] = {pb::TICKET_STATE_IN_PROGRESS, pb::TICKET_STATE_AWAITING_VERIFICATION,
                                              pb::TICKET_STATE_DONE, pb::TICKET_STATE_CLOSED};
  auto [trans_ms, trans_s] = Parallel(replicas, tickets, [&](Replica& r, int i, std::vector<double>& lat) {
    int64_t version = 1;
    for (pb::TicketState to : kPath) {
      pb::TransitionTicketRequest req;
      req.set_ticket_id(ids[i]);
      req.set_to_state(to);
      req.set_expected_version(version);
      req.set_actor("agent-7");
      req.set_note("已电话联系客户");
      const auto t0 = std::chrono::steady_clock::now();
      version = Check(r.service->Transition(req), "transition").version();
      lat.push_back(Since(t0));
    }
  });

  // 3. Comments (no version pinned: read, apply, retry on a lost race).
  auto [comment_ms, comment_s] = Parallel(replicas, tickets, [&](Replica& r, int i, std::vector<double>& lat) {
    pb::AddCommentRequest req;
    req.set_ticket_id(ids[i]);
    req.set_actor("agent-7");
    req.set_text("客户确认已收到退款，问题关闭。");
    const auto t0 = std::chrono::steady_clock::now();
    (void)Check(r.service->Comment(req), "comment");
    lat.push_back(Since(t0));
  });

  // 4. Baseline: redis-benchmark running the apply script with the arguments
  //    of a real pending -> in_progress transition (the ticket as written,
  //    its 2 events — each carrying the whole ticket —, its audit entry, its
  //    2 resolution timers, 4 index sets), taken from a sample ticket moved
  //    by the service. redis-benchmark cannot follow versions, so each call
  //    takes the create path (expected version 0) on a fresh random ticket
  //    key: the same writes as the update path (HSET, SADD x4, XADD x2,
  //    RPUSH, ZREM, ZADD x2) with EXISTS + ZADD <p>all instead of HGET +
  //    SREM x4, i.e. as much Redis work as a transition, in one round trip
  //    (TicketService needs two: HGET to read, then the script).
  redis::Client& admin = *replicas[0].redis;
  wo::TicketService& svc = *replicas[0].service;
  const std::string sample = Check(svc.Create(NewTicket(run, tickets)), "create sample").ticket.ticket_id();
  pb::TransitionTicketRequest start;
  start.set_ticket_id(sample);
  start.set_to_state(pb::TICKET_STATE_IN_PROGRESS);
  start.set_expected_version(1);
  start.set_actor("agent-7");
  start.set_note("已电话联系客户");
  const pb::Ticket moved = Check(svc.Transition(start), "sample transition");
  std::vector<std::string> events, audit;
  const redis::Reply outbox = Check(admin.Command({"XREVRANGE", prefix + "outbox", "+", "-", "COUNT", "20"}), "xrange");
  for (const auto& e : outbox.elements()) {
    if (e.elements().size() != 2 || e.elements()[1].elements().size() != 2) continue;
    pb::TicketEvent ev;
    if (ev.ParseFromString(e.elements()[1].elements()[1].str()) && ev.ticket_id() == sample && ev.version() == 2) {
      events.push_back(e.elements()[1].elements()[1].str());
    }
  }
  const redis::Reply trail = Check(admin.Command({"LRANGE", prefix + "audit:" + sample, "0", "-1"}), "lrange");
  for (const auto& e : trail.elements()) {
    pb::AuditEntry a;
    if (a.ParseFromString(e.str()) && a.version() == 2) audit.push_back(e.str());
  }
  const std::vector<wo::Timer> timers = svc.TimersFor(moved);
  if (events.empty() || audit.empty()) Die("sample transition left no events/audit");

  const pb::Ticket& m = moved;
  const std::string bp = prefix + "base:";  // the baseline's own keys
  const std::string rid = "tk-__rand_int__";
  std::vector<std::string> keys = {bp + "t:" + rid, bp + "all", bp + "outbox", bp + "audit:" + rid, bp + "due",
                                   absl::StrCat(bp, "ix:state:", static_cast<int>(m.state())),
                                   absl::StrCat(bp, "ix:priority:", static_cast<int>(m.priority())),
                                   bp + "ix:department:" + m.department(), bp + "ix:customer:" + m.customer_pseudonym(),
                                   bp + "load"};
  std::vector<std::string> args = {"0", m.SerializeAsString(), rid, std::to_string(absl::ToUnixMillis(absl::Now())),
                                   "0", "4", "0", std::to_string(events.size()), std::to_string(audit.size()),
                                   std::to_string(timers.size()), "0"};  // no assignee: no load deltas
  args.insert(args.end(), events.begin(), events.end());
  args.insert(args.end(), audit.begin(), audit.end());
  for (const wo::Timer& t : timers) {
    args.push_back(rid + t.member.substr(t.member.find('|')));
    args.push_back(std::to_string(absl::ToUnixMillis(t.at)));
  }
  size_t arg_bytes = 0;
  for (const auto& a : args) arg_bytes += a.size();

  const redis::LuaScript& script = wo::TicketStore::ApplyScript();
  const std::string sha = Check(admin.Command({"SCRIPT", "LOAD", script.source()}), "script load").str();
  const int requests = std::max(10000, 4 * tickets);
  std::string cmd = absl::StrCat("redis-benchmark -h ", rc.host, " -p ", rc.port, " -c ", threads, " -n ", requests,
                                 " -r 1000000000 --csv EVALSHA ", sha, " ", keys.size());
  for (const auto& k : keys) absl::StrAppend(&cmd, " ", Quote(k));
  for (const auto& a : args) absl::StrAppend(&cmd, " ", Quote(a));
  absl::StrAppend(&cmd, " 2>&1");
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    if (pclose(p) != 0) Die("redis-benchmark failed:\n" + out.substr(out.size() > 400 ? out.size() - 400 : 0));
  } else {
    Die("cannot run redis-benchmark");
  }
  const Baseline base = ParseCsv(out);
  // Every call must have taken the create path (a key collision would be a cheap 'exists').
  const int64_t written = Check(admin.Command({"ZCARD", bp + "all"}), "zcard").integer();

  // 5. Clean up everything under the run's prefix.
  int64_t removed = 0;
  std::string cursor = "0";
  do {
    const redis::Reply r = Check(admin.Command({"SCAN", cursor, "MATCH", prefix + "*", "COUNT", "1000"}), "scan");
    cursor = r.elements().at(0).str();
    std::vector<std::string> unlink = {"UNLINK"};
    for (const auto& k : r.elements().at(1).elements()) unlink.push_back(k.str());
    if (unlink.size() > 1) removed += Check(admin.Command(unlink), "unlink").integer();
  } while (cursor != "0");

  const Stats c = Summarize(create_ms, create_s), t = Summarize(trans_ms, trans_s), k = Summarize(comment_ms, comment_s);
  std::printf("\n%-66s %10s %8s %8s\n", "path", "ops/s", "p50 ms", "p99 ms");
  auto row = [](const std::string& label, double ops, double p50, double p99) {
    std::printf("%-66s %10.0f %8.3f %8.3f\n", label.c_str(), ops, p50, p99);
  };
  row("TicketService::Create", c.per_second, c.p50_ms, c.p99_ms);
  row("TicketService::Transition (4 per ticket, HGET + apply script)", t.per_second, t.p50_ms, t.p99_ms);
  row("TicketService::Comment", k.per_second, k.p50_ms, k.p99_ms);
  row(absl::StrCat("redis-benchmark -c ", threads, " EVALSHA apply script (", requests, " calls)"), base.rps,
      base.p50_ms, base.p99_ms);
  std::printf("(baseline: TicketStore's own apply script, %zu keys, %zu args, %zu bytes of arguments per call, "
              "%lld of %d took the create path)\n",
              keys.size(), args.size(), arg_bytes, static_cast<long long>(written), requests);
  std::printf("transitions/s : redis-benchmark = %.2f (target >= 0.5)\n", t.per_second / base.rps);
  std::printf("BENCH ticket_transition_rate %.1f\nBENCH ticket_transition_p99_ms %.3f\nBENCH redis_benchmark_rate %.1f\n",
              t.per_second, t.p99_ms, base.rps);
  std::printf("(removed %lld keys under %s)\n", static_cast<long long>(removed), prefix.c_str());
  return 0;
}

}  // namespace
}  // namespace fbl

int main(int argc, char** argv) {
  int tickets = 2000, threads = 4;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--tickets") tickets = std::atoi(argv[i + 1]);
    if (std::string(argv[i]) == "--threads") threads = std::atoi(argv[i + 1]);
  }
  if (tickets < 1 || threads < 1) {
    std::fprintf(stderr, "usage: workorder_bench [--tickets N] [--threads T]\n");
    return 2;
  }
  return fbl::Run(tickets, threads);
}
