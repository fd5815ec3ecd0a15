// libs/redis against a real Redis (FBL_REDIS_ADDR, started by scripts/test.sh).
// Some tests stop/restart that Redis through scripts/stack.sh, so this test
// runs serially (RUN_SERIAL in CMakeLists.txt).

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/redis/lua_script.h"
#include "libs/redis/redis_client.h"

#ifndef FBL_SOURCE_DIR
#error "FBL_SOURCE_DIR must point at the repository root"
#endif

namespace fbl::redis {
namespace {

// Polls `condition` until it holds or `timeout` passes.
bool WaitFor(const std::function<bool()>& condition, absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (condition()) return true;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return condition();
}

class RedisClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* addr = std::getenv("FBL_REDIS_ADDR");
    if (addr == nullptr || *addr == '\0') {
      GTEST_SKIP() << "FBL_REDIS_ADDR is not set; run through scripts/test.sh";
    }
    std::string a = addr;
    size_t colon = a.rfind(':');
    ASSERT_NE(colon, std::string::npos) << "FBL_REDIS_ADDR must be host:port, got " << a;
    host_ = a.substr(0, colon);
    ASSERT_TRUE(absl::SimpleAtoi(a.substr(colon + 1), &port_)) << a;

    std::mt19937_64 rng(std::random_device{}());
    prefix_ = absl::StrCat("fbl_test:",
                           ::testing::UnitTest::GetInstance()->current_test_info()->name(), ":",
                           getpid(), ":", absl::Hex(rng()), ":");
  }

  void TearDown() override {
    if (prefix_.empty()) return;
    // Best effort: delete this test's keys in db 0.
    RedisConfig c = Config();
    c.reconnect_give_up_after = absl::Seconds(5);
    auto client = Client::Create(c);
    if (!client.ok()) return;
    std::string cursor = "0";
    do {
      auto r = (*client)->Command({"SCAN", cursor, "MATCH", prefix_ + "*", "COUNT", "1000"});
      if (!r.ok() || r->elements().size() != 2) return;
      cursor = r->elements()[0].str();
      std::vector<std::string> del = {"DEL"};
      for (const Reply& k : r->elements()[1].elements()) del.push_back(k.str());
      if (del.size() > 1) (void)(*client)->Command(del);
    } while (cursor != "0");
  }

  RedisConfig Config() const {
    RedisConfig c;
    c.host = host_;
    c.port = port_;
    return c;
  }

  std::unique_ptr<Client> NewClient(const RedisConfig& c) {
    auto client = Client::Create(c);
    EXPECT_TRUE(client.ok()) << client.status();
    return client.ok() ? *std::move(client) : nullptr;
  }

  std::string Key(const std::string& name) const { return absl::StrCat(prefix_, name); }

  // Runs scripts/stack.sh <verb> redis for the Redis under test.
  int Stack(const std::string& verb) const {
    std::string cmd = absl::StrCat("FBL_REDIS_PORT=", port_, " '", FBL_SOURCE_DIR,
                                   "/scripts/stack.sh' ", verb, " redis");
    int rc = std::system(cmd.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  }

  std::string host_;
  int port_ = 0;
  std::string prefix_;
};

TEST_F(RedisClientTest, BinarySafeRoundTrip) {
  auto client = NewClient(Config());
  ASSERT_NE(client, nullptr);
  EXPECT_TRUE(client->connected());
  const std::string key = Key(std::string("bin\0key", 7));
  const std::string value = std::string("a\0b\r\n\xff", 6) + "客户反馈：很好" + std::string(1, '\0');

  auto set = client->Command({"SET", key, value});
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(*set, Reply::Status("OK"));

  auto get = client->Command({"GET", key});
  ASSERT_TRUE(get.ok()) << get.status();
  ASSERT_EQ(get->kind(), ReplyKind::kString) << get->DebugString();
  EXPECT_EQ(get->str(), value);

  auto strlen = client->Command({"STRLEN", key});
  ASSERT_TRUE(strlen.ok());
  EXPECT_EQ(strlen->integer(), static_cast<int64_t>(value.size()));

  auto missing = client->Command({"GET", Key("missing")});
  ASSERT_TRUE(missing.ok());
  EXPECT_TRUE(missing->is_nil());
}

TEST_F(RedisClientTest, ErrorReplyIsAReplyNotAStatus) {
  auto client = NewClient(Config());
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->Command({"SET", Key("s"), "text"}).ok());
  auto r = client->Command({"INCR", Key("s")});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->is_error());
  EXPECT_EQ(r->error_code(), "ERR");
  auto bad = client->Command({});
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  // The connection is still fine.
  auto ping = client->Command({"PING"});
  ASSERT_TRUE(ping.ok());
  EXPECT_EQ(*ping, Reply::Status("PONG"));
}

TEST_F(RedisClientTest, PipelineOfThousandRepliesInOrder) {
  auto client = NewClient(Config());
  ASSERT_NE(client, nullptr);
  std::vector<std::vector<std::string>> commands;
  for (int i = 0; i < 1000; ++i) {
    commands.push_back({"RPUSH", Key("list"), absl::StrCat("item-", i)});
  }
  auto replies = client->Pipeline(commands);
  ASSERT_TRUE(replies.ok()) << replies.status();
  ASSERT_EQ(replies->size(), 1000u);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ((*replies)[i], Reply::Integer(i + 1)) << i << ": " << (*replies)[i].DebugString();
  }
  auto range = client->Command({"LRANGE", Key("list"), "0", "-1"});
  ASSERT_TRUE(range.ok());
  ASSERT_EQ(range->elements().size(), 1000u);
  EXPECT_EQ(range->elements()[0].str(), "item-0");
  EXPECT_EQ(range->elements()[999].str(), "item-999");
}

TEST_F(RedisClientTest, PipelineKeepsPerCommandErrors) {
  auto client = NewClient(Config());
  ASSERT_NE(client, nullptr);
  auto replies = client->Pipeline({{"SET", Key("p"), "x"},
                                   {"INCR", Key("p")},  // error reply
                                   {"GET", Key("p")},
                                   {"GET", Key("nothing")}});
  ASSERT_TRUE(replies.ok()) << replies.status();
  ASSERT_EQ(replies->size(), 4u);
  EXPECT_EQ((*replies)[0], Reply::Status("OK"));
  EXPECT_TRUE((*replies)[1].is_error());
  EXPECT_EQ((*replies)[2], Reply::String("x"));
  EXPECT_TRUE((*replies)[3].is_nil());

  auto empty = client->Pipeline({});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  EXPECT_EQ(client->Pipeline({{"PING"}, {}}).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(RedisClientTest, LuaScriptShaMatchesServerAndRuns) {
  auto client = NewClient(Config());
  ASSERT_NE(client, nullptr);
  LuaScript script(absl::StrCat("return redis.call('INCRBY', KEYS[1], ARGV[1]) -- ", prefix_));
  auto first = client->Eval(script, {Key("n")}, {"5"});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*first, Reply::Integer(5));
  auto second = client->Eval(script, {Key("n")}, {"-2"});
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(*second, Reply::Integer(3));

  auto loaded = client->Command({"SCRIPT", "LOAD", script.source()});
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(*loaded, Reply::String(script.sha1()));
}

TEST_F(RedisClientTest, ScriptReloadsAfterScriptFlush) {
  auto client = NewClient(Config());
  ASSERT_NE(client, nullptr);
  LuaScript script(absl::StrCat("return redis.call('INCRBY', KEYS[1], ARGV[1]) -- ", prefix_));
  auto exists = [&]() {
    auto r = client->Command({"SCRIPT", "EXISTS", script.sha1()});
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() && r->elements().size() == 1 ? r->elements()[0].integer() : -1;
  };

  ASSERT_EQ(client->Eval(script, {Key("n")}, {"2"}).value_or(Reply()), Reply::Integer(2));
  auto flushed = client->Command({"SCRIPT", "FLUSH"});
  ASSERT_TRUE(flushed.ok());
  ASSERT_EQ(*flushed, Reply::Status("OK"));
  ASSERT_EQ(exists(), 0);

  auto after = client->Eval(script, {Key("n")}, {"2"});  // NOSCRIPT -> SCRIPT LOAD -> EVALSHA
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(*after, Reply::Integer(4));
  EXPECT_EQ(exists(), 1);
}

TEST_F(RedisClientTest, EvalManyIsOneOrderedPipelineAndSurvivesScriptFlush) {
  auto client = NewClient(Config());
  ASSERT_NE(client, nullptr);
  LuaScript script(absl::StrCat("return redis.call('INCRBY', KEYS[1], ARGV[1]) -- many ", prefix_));
  std::vector<Client::ScriptCall> calls;
  for (int i = 1; i <= 100; ++i) calls.push_back({{Key("m")}, {std::to_string(i)}});
  ASSERT_TRUE(client->Command({"SCRIPT", "FLUSH"}).ok());  // first use: every call answers NOSCRIPT
  auto replies = client->EvalMany(script, calls);
  ASSERT_TRUE(replies.ok()) << replies.status();
  ASSERT_EQ(replies->size(), 100u);
  EXPECT_EQ((*replies)[0], Reply::Integer(1));
  EXPECT_EQ((*replies)[99], Reply::Integer(5050));  // applied once each, in order
  LuaScript failing(absl::StrCat("return redis.error_reply('FBL_PRECONDITION no') -- ", prefix_));
  auto failed = client->EvalMany(failing, {{{Key("x")}, {}}});
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(RedisClientTest, ScriptErrorsBecomeStatuses) {
  auto client = NewClient(Config());
  ASSERT_NE(client, nullptr);

  LuaScript precondition(absl::StrCat(
      "if redis.call('GET', KEYS[1]) ~= ARGV[1] then "
      "return redis.error_reply('FBL_PRECONDITION version mismatch') end "
      "return 1 -- ", prefix_));
  auto r = client->Eval(precondition, {Key("version")}, {"7"});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition) << r.status();
  EXPECT_NE(r.status().message().find("version mismatch"), std::string::npos) << r.status();
  ASSERT_TRUE(client->Command({"SET", Key("version"), "7"}).ok());
  auto ok = client->Eval(precondition, {Key("version")}, {"7"});
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(*ok, Reply::Integer(1));

  ASSERT_TRUE(client->Command({"SET", Key("text"), "abc"}).ok());
  LuaScript wrong_type(absl::StrCat("return redis.call('INCR', KEYS[1]) -- ", prefix_));
  auto wt = client->Eval(wrong_type, {Key("text")}, {});
  EXPECT_EQ(wt.status().code(), absl::StatusCode::kInternal) << wt.status();

  LuaScript raises(absl::StrCat("error('boom') -- ", prefix_));
  auto boom = client->Eval(raises, {}, {});
  EXPECT_EQ(boom.status().code(), absl::StatusCode::kInternal) << boom.status();
  EXPECT_NE(boom.status().message().find("boom"), std::string::npos) << boom.status();

  LuaScript broken(absl::StrCat("this is not lua -- ", prefix_));
  auto compile = client->Eval(broken, {}, {});
  EXPECT_FALSE(compile.ok());
  EXPECT_NE(compile.status().message().find("SCRIPT LOAD failed"), std::string::npos)
      << compile.status();

  EXPECT_TRUE(client->Command({"PING"}).ok());  // the connection survived all of it
}

TEST_F(RedisClientTest, ClosedPortIsUnavailableNamingTheAddress) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  sa.sin_port = 0;
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)), 0);
  socklen_t len = sizeof(sa);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len), 0);
  int closed_port = ntohs(sa.sin_port);
  close(fd);  // bound but never listened, now closed: connections are refused

  RedisConfig c = Config();
  c.host = "127.0.0.1";
  c.port = closed_port;
  auto client = Client::Create(c);
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), absl::StatusCode::kUnavailable) << client.status();
  EXPECT_NE(client.status().message().find(absl::StrCat("127.0.0.1:", closed_port)),
            std::string::npos)
      << client.status();
}

TEST_F(RedisClientTest, InvalidConfigIsRejected) {
  RedisConfig c = Config();
  c.port = 0;
  EXPECT_EQ(Client::Create(c).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(RedisClientTest, RejectedAuthIsUnauthenticatedAndHidesThePassword) {
  RedisConfig c = Config();
  c.password = "wrong-password-6f1c";  // the test Redis has no password
  auto client = Client::Create(c);
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), absl::StatusCode::kUnauthenticated) << client.status();
  EXPECT_EQ(client.status().message().find("wrong-password-6f1c"), std::string::npos)
      << client.status();
}

TEST_F(RedisClientTest, SelectsTheConfiguredDb) {
  RedisConfig c1 = Config();
  c1.db = 1;
  auto db1 = NewClient(c1);
  auto db0 = NewClient(Config());
  ASSERT_NE(db1, nullptr);
  ASSERT_NE(db0, nullptr);
  ASSERT_TRUE(db1->Command({"SET", Key("db"), "one", "EX", "60"}).ok());
  EXPECT_TRUE(db0->Command({"GET", Key("db")})->is_nil());
  EXPECT_EQ(*db1->Command({"GET", Key("db")}), Reply::String("one"));
  (void)db1->Command({"DEL", Key("db")});

  RedisConfig bad = Config();
  bad.db = 100000;
  EXPECT_EQ(Client::Create(bad).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(RedisClientTest, ConcurrentCallsAreSerialized) {
  auto client = NewClient(Config());
  ASSERT_NE(client, nullptr);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 250; ++i) {
        bool ok = (i % 2 == 0) ? client->Command({"INCR", Key("c")}).ok()
                               : client->Pipeline({{"INCR", Key("c")}}).ok();
        if (!ok) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(*client->Command({"GET", Key("c")}), Reply::String("1000"));
}

TEST_F(RedisClientTest, CommandTimeoutDropsConnectionAndNextCallReconnects) {
  RedisConfig c = Config();
  c.command_timeout = absl::Milliseconds(200);
  auto client = NewClient(c);
  ASSERT_NE(client, nullptr);
  absl::Time start = absl::Now();
  auto blocked = client->Command({"BLPOP", Key("never"), "5"});
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
  EXPECT_EQ(blocked.status().code(), absl::StatusCode::kUnavailable) << blocked.status();
  EXPECT_NE(blocked.status().message().find("timed out"), std::string::npos) << blocked.status();
  EXPECT_FALSE(client->connected());
  EXPECT_EQ(client->reconnects(), 0);

  auto ping = client->Command({"PING"});
  ASSERT_TRUE(ping.ok()) << ping.status();
  EXPECT_TRUE(client->connected());
  EXPECT_EQ(client->reconnects(), 1);
}

TEST_F(RedisClientTest, ServerClosedIdleConnectionIsReplacedBeforeSending) {
  auto victim = NewClient(Config());
  auto killer = NewClient(Config());
  ASSERT_NE(victim, nullptr);
  ASSERT_NE(killer, nullptr);
  auto id = victim->Command({"CLIENT", "ID"});
  ASSERT_TRUE(id.ok());
  std::string id_str = absl::StrCat(id->integer());
  auto killed = killer->Command({"CLIENT", "KILL", "ID", id_str});
  ASSERT_TRUE(killed.ok());
  ASSERT_EQ(*killed, Reply::Integer(1));
  ASSERT_TRUE(WaitFor(
      [&] {
        auto r = killer->Command({"CLIENT", "LIST", "ID", id_str});
        return r.ok() && r->str().empty();
      },
      absl::Seconds(5)));

  // No UNAVAILABLE: the dead connection is noticed before anything is sent.
  auto set = victim->Command({"SET", Key("k"), "v"});
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(*set, Reply::Status("OK"));
  EXPECT_EQ(victim->reconnects(), 1);
}

// Restarts Redis on destruction unless dismissed, so a failing test does not
// leave it stopped for the tests that follow.
class RestartOnExit {
 public:
  explicit RestartOnExit(std::function<void()> restart) : restart_(std::move(restart)) {}
  ~RestartOnExit() {
    if (restart_) restart_();
  }
  void Dismiss() { restart_ = nullptr; }

 private:
  std::function<void()> restart_;
};

TEST_F(RedisClientTest, RecoversAfterRedisRestart) {
  RedisConfig c = Config();  // default give-up: 10 s
  auto client = NewClient(c);
  ASSERT_NE(client, nullptr);
  LuaScript script(absl::StrCat("return redis.call('INCRBY', KEYS[1], ARGV[1]) -- ", prefix_));
  ASSERT_TRUE(client->Eval(script, {Key("n")}, {"1"}).ok());

  ASSERT_EQ(Stack("restart"), 0) << "scripts/stack.sh restart redis failed; FBL_STACK_DIR must "
                                    "be the stack that runs FBL_REDIS_ADDR";

  // Calls may fail with UNAVAILABLE (never anything else, never a crash) and
  // must succeed again within the give-up time.
  absl::Time deadline = absl::Now() + c.reconnect_give_up_after;
  absl::StatusOr<Reply> set;
  do {
    set = client->Command({"SET", Key("after"), "restart"});
    if (!set.ok()) {
      EXPECT_EQ(set.status().code(), absl::StatusCode::kUnavailable) << set.status();
      absl::SleepFor(absl::Milliseconds(20));
    }
  } while (!set.ok() && absl::Now() < deadline);
  ASSERT_TRUE(set.ok()) << "not recovered within " << c.reconnect_give_up_after << ": "
                        << set.status();
  EXPECT_TRUE(client->connected());
  EXPECT_GE(client->reconnects(), 1);
  EXPECT_EQ(*client->Command({"GET", Key("after")}), Reply::String("restart"));

  // The restarted server has no scripts: Eval reloads transparently.
  auto again = client->Eval(script, {Key("fresh")}, {"3"});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, Reply::Integer(3));
}

TEST_F(RedisClientTest, CallsDuringOutageAreUnavailableThenRecover) {
  RedisConfig c = Config();
  c.reconnect_give_up_after = absl::Milliseconds(300);
  c.reconnect_max_backoff = absl::Milliseconds(100);
  auto client = NewClient(c);
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->Command({"PING"}).ok());
  LuaScript script(absl::StrCat("return 1 -- ", prefix_));

  RestartOnExit guard([this] { Stack("start"); });
  ASSERT_EQ(Stack("stop"), 0);

  const std::string address = absl::StrCat(host_, ":", port_);
  absl::Time start = absl::Now();
  auto get = client->Command({"GET", Key("x")});
  EXPECT_EQ(get.status().code(), absl::StatusCode::kUnavailable) << get.status();
  EXPECT_NE(get.status().message().find(address), std::string::npos) << get.status();
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));  // ~give-up time, not a hang
  EXPECT_FALSE(client->connected());

  // After giving up, calls fail fast.
  start = absl::Now();
  EXPECT_EQ(client->Pipeline({{"PING"}, {"PING"}}).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(client->Eval(script, {}, {}).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));

  ASSERT_EQ(Stack("start"), 0);
  guard.Dismiss();
  // Probes happen at least every reconnect_max_backoff.
  EXPECT_TRUE(WaitFor([&] { return client->Command({"PING"}).ok(); }, absl::Seconds(5)));
  EXPECT_TRUE(client->connected());
  EXPECT_GE(client->reconnects(), 1);
  auto eval = client->Eval(script, {}, {});
  ASSERT_TRUE(eval.ok()) << eval.status();
  EXPECT_EQ(*eval, Reply::Integer(1));
}

}  // namespace
}  // namespace fbl::redis
