#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace fbl::redis {

// First word of a script error reply that Client::Eval maps to
// FAILED_PRECONDITION, e.g. `return redis.error_reply("FBL_PRECONDITION stale version")`.
inline constexpr std::string_view kScriptPreconditionCode = "FBL_PRECONDITION";

// A Lua script and its SHA-1 (lowercase hex, as Redis computes it), which is
// what Client::Eval sends (EVALSHA). Immutable, cheap to share; build one per
// script at startup and keep it.
class LuaScript {
 public:
  explicit LuaScript(std::string source);

  const std::string& source() const { return source_; }
  const std::string& sha1() const { return sha1_; }

 private:
  std::string source_;
  std::string sha1_;
};

// Lowercase hex SHA-1 of `data` (40 characters).
std::string Sha1Hex(std::string_view data);

// The status Client::Eval returns for an error reply `message` from the
// script with SHA-1 `sha1`:
//   FBL_PRECONDITION ...                       -> FAILED_PRECONDITION (not retryable)
//   BUSY, LOADING, MASTERDOWN, TRYAGAIN,
//   CLUSTERDOWN, READONLY ...                  -> UNAVAILABLE (retryable)
//   OOM ...                                    -> RESOURCE_EXHAUSTED (retryable later)
//   anything else (ERR, WRONGTYPE, Lua errors) -> INTERNAL
absl::Status ScriptErrorToStatus(std::string_view sha1, std::string_view message);

}  // namespace fbl::redis
