#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/redis/lua_script.h"
#include "libs/redis/redis_config.h"
#include "libs/redis/redis_reply.h"

namespace fbl::redis {

// A synchronous Redis client over one connection (RESP2, hiredis inside).
// Thread-safe: calls are serialized by a mutex, so one Client gives no
// parallelism across threads; create one per thread (or a few) for that.
//
// Failures:
// - A Redis error reply to Command/Pipeline is a Reply of kind kError (OK
//   status): the caller decides. Eval turns error replies into statuses
//   (see ScriptErrorToStatus).
// - An I/O error, EOF or command_timeout during a call drops the connection
//   and that call returns UNAVAILABLE. The command is NOT resent: it may or may
//   not have been applied. The next call reconnects first.
// - Reconnecting: a call that finds the connection down retries with
//   exponential backoff (reconnect_initial_backoff doubling up to
//   reconnect_max_backoff, with jitter) for up to reconnect_give_up_after,
//   counted from the first call that found it down. Then it returns
//   UNAVAILABLE with the last cause. Until a reconnect succeeds, later calls
//   fail fast with UNAVAILABLE, except that one attempt is made whenever the
//   backoff delay has passed (so at least every reconnect_max_backoff).
// - Before each call, a connection the server closed while idle (restart,
//   CLIENT KILL, idle timeout) is detected and replaced without sending
//   anything on it, so such a call does not fail.
// - AUTH rejected: UNAUTHENTICATED; SELECT rejected: INVALID_ARGUMENT; neither
//   is retried.
class Client {
 public:
  // Validates `config`, connects (one attempt, no backoff), AUTHs and SELECTs.
  // UNAVAILABLE naming host:port if the server cannot be reached.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Client>> Create(RedisConfig config);
  ~Client();

  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends one command, e.g. {"SET", key, value}; arguments are binary-safe.
  // Blocking commands (BLPOP ...) are bounded by command_timeout; pub/sub and
  // MONITOR are not supported.
  [[nodiscard]] absl::StatusOr<Reply> Command(const std::vector<std::string>& args);

  // Sends all commands, then reads all replies: one round trip. Replies are
  // in command order, one per command; error replies are per command. On an
  // I/O error the whole call fails (UNAVAILABLE) and any prefix of the
  // commands may have been applied. Not a transaction (wrap in MULTI/EXEC
  // yourself if you need one).
  [[nodiscard]] absl::StatusOr<std::vector<Reply>> Pipeline(
      const std::vector<std::vector<std::string>>& commands);

  // EVALSHA script.sha1() with `keys` and `args`. If Redis answers NOSCRIPT
  // (after a restart or SCRIPT FLUSH), SCRIPT LOADs the source and retries
  // once; this is safe because NOSCRIPT means nothing ran. An error reply
  // becomes a non-OK status (ScriptErrorToStatus): scripts signal a business
  // precondition with `return redis.error_reply("FBL_PRECONDITION <why>")`.
  [[nodiscard]] absl::StatusOr<Reply> Eval(const LuaScript& script,
                                           const std::vector<std::string>& keys,
                                           const std::vector<std::string>& args);

  // One EVALSHA of `script` per call, in one round trip (a pipeline), in
  // order. Calls answered NOSCRIPT are re-sent after SCRIPT LOAD (nothing ran
  // for them). Any script error reply fails the whole call with that error;
  // earlier calls may have been applied.
  struct ScriptCall {
    std::vector<std::string> keys;
    std::vector<std::string> args;
  };
  [[nodiscard]] absl::StatusOr<std::vector<Reply>> EvalMany(const LuaScript& script,
                                                            const std::vector<ScriptCall>& calls);

  // Whether a connection is currently established (as of the last call).
  bool connected() const;
  // Successful reconnects since Create (the first connection is not counted).
  int64_t reconnects() const;

  const RedisConfig& config() const;

 private:
  struct Impl;
  explicit Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace fbl::redis
