#include "libs/runtime/log.h"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace fbl::log {
namespace {

std::atomic<Level> g_level{Level::kInfo};
std::mutex g_mu;
std::string g_service = "feedbackloop";  // guarded by g_mu

constexpr std::string_view kNames[] = {"debug", "info", "warn", "error"};

}  // namespace

void SetLevel(Level level) { g_level = level; }

void SetService(std::string_view service) {
  std::lock_guard lock(g_mu);
  g_service = service;
}

absl::StatusOr<Level> ParseLevel(std::string_view name) {
  std::string lower = absl::AsciiStrToLower(std::string(name));
  for (int i = 0; i < 4; ++i) {
    if (lower == kNames[i]) return static_cast<Level>(i);
  }
  if (lower == "warning") return Level::kWarn;
  return absl::InvalidArgumentError(
      absl::StrCat("log level '", std::string(name), "' is not one of debug, info, warn, error"));
}

bool Enabled(Level level) { return level >= g_level.load(std::memory_order_relaxed); }

void Write(Level level, std::string_view message, std::initializer_list<Field> fields) {
  if (!Enabled(level)) return;
  nlohmann::ordered_json line;
  line["time"] = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
  line["level"] = kNames[static_cast<int>(level)];
  std::lock_guard lock(g_mu);
  line["service"] = g_service;
  line["msg"] = message;
  for (const auto& [k, v] : fields) line[std::string(k)] = v;
  // Invalid UTF-8 in a field is replaced rather than thrown.
  std::string out = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  out.push_back('\n');
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
}

}  // namespace fbl::log
