#include "libs/redis/redis_client.h"

#include <poll.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "libs/redis/backoff.h"
#include "libs/redis/hiredis_util.h"
#include "libs/redis/redis_errors.h"

namespace fbl::redis {
namespace {

using internal::ContextPtr;
using internal::ReplyPtr;

// Command name for error messages; never argument values (they may hold
// customer data).
std::string CommandName(const std::vector<std::string>& args) {
  return args.empty() ? std::string("(empty)") : absl::CHexEscape(args[0].substr(0, 32));
}

// One command on a raw context, for the handshake. I/O errors are UNAVAILABLE.
absl::StatusOr<Reply> HandshakeCommand(redisContext* ctx, const std::vector<std::string>& args,
                                       const std::string& address) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const std::string& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  void* raw = redisCommandArgv(ctx, static_cast<int>(argv.size()), argv.data(), lens.data());
  if (raw == nullptr) {
    return absl::UnavailableError(absl::StrCat("redis ", address, ": connection lost during ",
                                               args[0], ": ", ctx->errstr));
  }
  ReplyPtr reply(static_cast<redisReply*>(raw));
  return internal::ReplyFromHiredis(*reply);
}

// Connects, sets the command timeout, AUTHs and SELECTs.
absl::StatusOr<ContextPtr> Connect(const RedisConfig& config, const std::string& address) {
  ContextPtr ctx(redisConnectWithTimeout(config.host.c_str(), config.port,
                                         absl::ToTimeval(config.connect_timeout)));
  if (ctx == nullptr) {
    return absl::ResourceExhaustedError(
        absl::StrCat("redis ", address, ": cannot allocate a connection"));
  }
  if (ctx->err != 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot connect to redis at ", address, ": ", ctx->errstr));
  }
  if (redisSetTimeout(ctx.get(), absl::ToTimeval(config.command_timeout)) != REDIS_OK) {
    return absl::UnavailableError(
        absl::StrCat("redis ", address, ": cannot set the command timeout: ", ctx->errstr));
  }
  // Lets the kernel notice a silently dead peer on an idle connection.
  (void)redisEnableKeepAlive(ctx.get());

  if (!config.password.empty()) {
    std::vector<std::string> auth = {"AUTH"};
    if (!config.username.empty()) auth.push_back(config.username);
    auth.push_back(config.password);
    absl::StatusOr<Reply> reply = HandshakeCommand(ctx.get(), auth, address);
    if (!reply.ok()) return reply.status();
    if (reply->is_error()) {
      // The message never contains the password.
      std::string text = absl::StrCat("redis ", address, ": AUTH",
                                      config.username.empty() ? "" : " as user '",
                                      config.username, config.username.empty() ? "" : "'",
                                      " rejected: ", reply->str());
      if (internal::IsTransientErrorCode(reply->error_code())) {
        return absl::UnavailableError(text);
      }
      return absl::UnauthenticatedError(text);
    }
  }
  if (config.db != 0) {
    absl::StatusOr<Reply> reply =
        HandshakeCommand(ctx.get(), {"SELECT", absl::StrCat(config.db)}, address);
    if (!reply.ok()) return reply.status();
    if (reply->is_error()) {
      std::string text =
          absl::StrCat("redis ", address, ": SELECT ", config.db, " rejected: ", reply->str());
      if (internal::IsTransientErrorCode(reply->error_code())) {
        return absl::UnavailableError(text);
      }
      return absl::InvalidArgumentError(text);
    }
  }
  return ctx;
}

// True if the idle connection has something to read: in request/reply mode
// that can only be EOF (server closed it), an error, or stray bytes. Either
// way it must not be used.
bool IdleConnectionBroken(const redisContext& ctx) {
  pollfd p{};
  p.fd = ctx.fd;
  p.events = POLLIN;
  return poll(&p, 1, 0) > 0;
}

}  // namespace

struct Client::Impl {
  Impl(RedisConfig c, ContextPtr connected_ctx)
      : config(std::move(c)),
        address(Address(config)),
        ctx(std::move(connected_ctx)),
        backoff(config.reconnect_initial_backoff, config.reconnect_max_backoff) {}

  // Makes sure `ctx` is usable, reconnecting as documented in the header.
  absl::Status EnsureConnected() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // Closes the connection after `cause`; the next call reconnects.
  void Drop(absl::Status cause) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // The status for a call that failed with ctx->err set; drops the connection.
  absl::Status IoFailure(const std::string& what, int saved_errno)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  absl::Status GaveUp() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // EnsureConnected, then one command.
  absl::StatusOr<Reply> Call(const std::vector<std::string>& args)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);

  const RedisConfig config;
  const std::string address;

  absl::Mutex mu;
  ContextPtr ctx ABSL_GUARDED_BY(mu);  // null while disconnected
  ExponentialBackoff backoff ABSL_GUARDED_BY(mu);
  // End of the reconnect window; set by the first call that finds the
  // connection down, cleared on success.
  std::optional<absl::Time> give_up_at ABSL_GUARDED_BY(mu);
  absl::Time next_attempt ABSL_GUARDED_BY(mu) = absl::InfinitePast();
  absl::Status last_error ABSL_GUARDED_BY(mu);

  // Readable without the mutex (metrics must not wait behind a reconnect).
  std::atomic<bool> connected{true};
  std::atomic<int64_t> reconnects{0};
};

void Client::Impl::Drop(absl::Status cause) {
  ctx.reset();
  connected.store(false, std::memory_order_relaxed);
  last_error = std::move(cause);
  give_up_at.reset();
  next_attempt = absl::InfinitePast();
  backoff.Reset();
}

absl::Status Client::Impl::IoFailure(const std::string& what, int saved_errno) {
  bool timed_out =
      ctx->err == REDIS_ERR_IO && (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK);
  std::string text =
      timed_out
          ? absl::StrCat("redis ", address, ": ", what, " timed out after ",
                         absl::FormatDuration(config.command_timeout))
          : absl::StrCat("redis ", address, ": connection lost during ", what, ": ", ctx->errstr);
  absl::StrAppend(&text,
                  "; connection dropped, not resent (it may have been applied), "
                  "the next call reconnects");
  absl::Status status = absl::UnavailableError(text);
  Drop(status);
  return status;
}

absl::Status Client::Impl::GaveUp() const {
  return absl::UnavailableError(absl::StrCat(
      "redis ", address, " unavailable: no reconnect within reconnect_give_up_after (",
      absl::FormatDuration(config.reconnect_give_up_after), "); last error: ",
      last_error.message()));
}

absl::Status Client::Impl::EnsureConnected() {
  if (ctx != nullptr) {
    if (!IdleConnectionBroken(*ctx)) return absl::OkStatus();
    Drop(absl::UnavailableError(
        absl::StrCat("redis ", address, ": connection closed by the server while idle")));
  }
  absl::Time now = absl::Now();
  if (!give_up_at.has_value()) give_up_at = now + config.reconnect_give_up_after;
  for (;;) {
    if (now < next_attempt) {
      if (now >= *give_up_at) return GaveUp();  // past the window: fail fast between probes
      // The last attempt of the window happens at its end.
      absl::SleepFor(std::min(next_attempt, *give_up_at) - now);
    }
    absl::StatusOr<ContextPtr> fresh = Connect(config, address);
    if (fresh.ok()) {
      ctx = *std::move(fresh);
      give_up_at.reset();
      next_attempt = absl::InfinitePast();
      backoff.Reset();
      last_error = absl::OkStatus();
      connected.store(true, std::memory_order_relaxed);
      reconnects.fetch_add(1, std::memory_order_relaxed);
      return absl::OkStatus();
    }
    last_error = fresh.status();
    now = absl::Now();
    next_attempt = now + backoff.NextDelay();
    if (!absl::IsUnavailable(fresh.status())) return fresh.status();  // e.g. AUTH rejected
    if (now >= *give_up_at) return GaveUp();
  }
}

absl::StatusOr<Reply> Client::Impl::Call(const std::vector<std::string>& args) {
  if (absl::Status s = EnsureConnected(); !s.ok()) return s;
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  argv.reserve(args.size());
  lens.reserve(args.size());
  for (const std::string& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  errno = 0;
  void* raw = redisCommandArgv(ctx.get(), static_cast<int>(argv.size()), argv.data(), lens.data());
  if (raw == nullptr) return IoFailure(CommandName(args), errno);
  ReplyPtr reply(static_cast<redisReply*>(raw));
  return internal::ReplyFromHiredis(*reply);
}

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::~Client() = default;

absl::StatusOr<std::unique_ptr<Client>> Client::Create(RedisConfig config) {
  if (absl::Status s = ValidateConfig(config); !s.ok()) return s;
  absl::StatusOr<ContextPtr> ctx = Connect(config, Address(config));
  if (!ctx.ok()) return ctx.status();
  return std::unique_ptr<Client>(
      new Client(std::make_unique<Impl>(std::move(config), *std::move(ctx))));
}

absl::StatusOr<Reply> Client::Command(const std::vector<std::string>& args) {
  if (args.empty()) return absl::InvalidArgumentError("redis: empty command");
  absl::MutexLock lock(&impl_->mu);
  return impl_->Call(args);
}

absl::StatusOr<std::vector<Reply>> Client::Pipeline(
    const std::vector<std::vector<std::string>>& commands) {
  for (size_t i = 0; i < commands.size(); ++i) {
    if (commands[i].empty()) {
      return absl::InvalidArgumentError(absl::StrCat("redis: pipeline command ", i, " is empty"));
    }
  }
  std::vector<Reply> replies;
  if (commands.empty()) return replies;

  absl::MutexLock lock(&impl_->mu);
  if (absl::Status s = impl_->EnsureConnected(); !s.ok()) return s;
  redisContext* ctx = impl_->ctx.get();
  std::string what = absl::StrCat("pipeline of ", commands.size(), " commands");
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const std::vector<std::string>& args : commands) {
    argv.clear();
    lens.clear();
    for (const std::string& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    // Only buffers; fails only when out of memory.
    if (redisAppendCommandArgv(ctx, static_cast<int>(argv.size()), argv.data(), lens.data()) !=
        REDIS_OK) {
      return impl_->IoFailure(what, 0);
    }
  }
  replies.reserve(commands.size());
  absl::Status conversion;  // keep reading so the connection stays in sync
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    errno = 0;
    if (redisGetReply(ctx, &raw) != REDIS_OK || raw == nullptr) {
      return impl_->IoFailure(what, errno);
    }
    ReplyPtr reply(static_cast<redisReply*>(raw));
    absl::StatusOr<Reply> r = internal::ReplyFromHiredis(*reply);
    if (r.ok()) {
      replies.push_back(*std::move(r));
    } else if (conversion.ok()) {
      conversion = r.status();
    }
  }
  if (!conversion.ok()) return conversion;
  return replies;
}

absl::StatusOr<Reply> Client::Eval(const LuaScript& script, const std::vector<std::string>& keys,
                                   const std::vector<std::string>& args) {
  std::vector<std::string> evalsha;
  evalsha.reserve(3 + keys.size() + args.size());
  evalsha.push_back("EVALSHA");
  evalsha.push_back(script.sha1());
  evalsha.push_back(absl::StrCat(keys.size()));
  evalsha.insert(evalsha.end(), keys.begin(), keys.end());
  evalsha.insert(evalsha.end(), args.begin(), args.end());

  absl::MutexLock lock(&impl_->mu);
  absl::StatusOr<Reply> reply = impl_->Call(evalsha);
  if (!reply.ok()) return reply.status();
  if (reply->is_error() && reply->error_code() == "NOSCRIPT") {
    absl::StatusOr<Reply> loaded = impl_->Call({"SCRIPT", "LOAD", script.source()});
    if (!loaded.ok()) return loaded.status();
    if (loaded->is_error()) {
      absl::Status s = ScriptErrorToStatus(script.sha1(), loaded->str());
      return absl::Status(s.code(), absl::StrCat("SCRIPT LOAD failed: ", s.message()));
    }
    if (loaded->kind() != ReplyKind::kString || loaded->str() != script.sha1()) {
      return absl::InternalError(absl::StrCat("redis script ", script.sha1(),
                                              ": SCRIPT LOAD returned ", loaded->DebugString()));
    }
    reply = impl_->Call(evalsha);
    if (!reply.ok()) return reply.status();
  }
  if (reply->is_error()) return ScriptErrorToStatus(script.sha1(), reply->str());
  return reply;
}

absl::StatusOr<std::vector<Reply>> Client::EvalMany(const LuaScript& script,
                                                    const std::vector<ScriptCall>& calls) {
  auto command = [&](const ScriptCall& c) {
    std::vector<std::string> cmd = {"EVALSHA", script.sha1(), absl::StrCat(c.keys.size())};
    cmd.insert(cmd.end(), c.keys.begin(), c.keys.end());
    cmd.insert(cmd.end(), c.args.begin(), c.args.end());
    return cmd;
  };
  std::vector<std::vector<std::string>> commands;
  commands.reserve(calls.size());
  for (const ScriptCall& c : calls) commands.push_back(command(c));
  absl::StatusOr<std::vector<Reply>> replies = Pipeline(commands);
  if (!replies.ok()) return replies.status();
  std::vector<size_t> missing;
  for (size_t i = 0; i < replies->size(); ++i) {
    if ((*replies)[i].is_error() && (*replies)[i].error_code() == "NOSCRIPT") missing.push_back(i);
  }
  if (!missing.empty()) {
    absl::StatusOr<Reply> loaded = Command({"SCRIPT", "LOAD", script.source()});
    if (!loaded.ok()) return loaded.status();
    if (loaded->is_error() || loaded->str() != script.sha1()) {
      return absl::InternalError(absl::StrCat("redis script ", script.sha1(), ": SCRIPT LOAD returned ",
                                              loaded->DebugString()));
    }
    std::vector<std::vector<std::string>> again;
    for (size_t i : missing) again.push_back(commands[i]);
    absl::StatusOr<std::vector<Reply>> retried = Pipeline(again);
    if (!retried.ok()) return retried.status();
    for (size_t j = 0; j < missing.size(); ++j) (*replies)[missing[j]] = std::move((*retried)[j]);
  }
  for (const Reply& r : *replies) {
    if (r.is_error()) return ScriptErrorToStatus(script.sha1(), r.str());
  }
  return replies;
}

bool Client::connected() const { return impl_->connected.load(std::memory_order_relaxed); }

int64_t Client::reconnects() const { return impl_->reconnects.load(std::memory_order_relaxed); }

const RedisConfig& Client::config() const { return impl_->config; }

}  // namespace fbl::redis
