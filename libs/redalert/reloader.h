#pragma once
// Live reload of the red-alert rules file.
//
//   auto reloader = fbl::redalert::RuleReloader::Create("/etc/fbl/red_alert.yaml");
//   ... on every tick of the caller's timer (e.g. each second):
//   absl::StatusOr<bool> swapped = (*reloader)->Poll();   // logs/metrics by the caller
//   ... on every message, any thread:
//   std::shared_ptr<const Matcher> m = (*reloader)->Current();
//
// Poll() compares the file's size, mtime and inode with the last load; on a
// change it parses, validates and compiles the new rules and swaps them in
// atomically. A bad file is refused with its error and the old matcher keeps
// serving; the same bad file is not re-reported until it changes again.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "libs/redalert/matcher.h"

namespace fbl::redalert {

// A swappable, shared matcher; readers never block writers for long.
class MatcherHolder {
 public:
  explicit MatcherHolder(std::shared_ptr<const Matcher> initial) : current_(std::move(initial)) {}
  std::shared_ptr<const Matcher> Get() const { return current_.load(std::memory_order_acquire); }
  void Set(std::shared_ptr<const Matcher> m) { current_.store(std::move(m), std::memory_order_release); }

 private:
  std::atomic<std::shared_ptr<const Matcher>> current_;
};

class RuleReloader {
 public:
  // Loads the file once; fails (with the file's error) if it is missing or bad.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<RuleReloader>> Create(std::string path);

  // Thread-safe; never null.
  std::shared_ptr<const Matcher> Current() const { return holder_.Get(); }

  // Checks the file and reloads it if it changed. Returns true if a new
  // matcher was swapped in, false if nothing changed (or the change was
  // already refused), or the error that made it refuse a changed file.
  // Thread-safe (serialised internally).
  [[nodiscard]] absl::StatusOr<bool> Poll();

  // Reloads regardless of the file's stamp. OK if swapped in.
  [[nodiscard]] absl::Status ReloadNow();

  const std::string& path() const { return path_; }

 private:
  struct Stamp {
    int64_t size = -1;
    int64_t mtime_ns = -1;
    uint64_t inode = 0;
    bool operator==(const Stamp&) const = default;
  };
  RuleReloader(std::string path, std::shared_ptr<const Matcher> initial, Stamp stamp)
      : path_(std::move(path)), holder_(std::move(initial)), loaded_(stamp), refused_(stamp) {}
  static absl::StatusOr<Stamp> StampOf(const std::string& path);
  static absl::StatusOr<std::shared_ptr<const Matcher>> Build(const std::string& path);

  const std::string path_;
  MatcherHolder holder_;
  std::mutex mu_;
  Stamp loaded_;   // Guarded by mu_.
  Stamp refused_;  // Last refused stamp; guarded by mu_.
};

}  // namespace fbl::redalert
