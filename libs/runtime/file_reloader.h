#pragma once
// Live reload of a data file (rules, taxonomy) that compiles into an
// immutable object T:
//
//   auto r = fbl::config::FileReloader<Matcher>::Create(path, build, version);
//   ... on every tick of the caller's timer (e.g. each second) or SIGHUP:
//   absl::StatusOr<bool> swapped = r->Poll();   // logs/metrics by the caller
//   ... on every message, any thread:
//   std::shared_ptr<const Matcher> m = r->Current();
//
// Poll() compares the file's size, mtime and inode with the last load; on a
// change it builds the new object and swaps it in atomically. A bad file is
// refused with its error and the old object keeps serving; the same bad file
// is not re-reported until it changes again.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace fbl::config {

// What identifies one version of a file on disk.
struct FileStamp {
  int64_t size = -1;
  int64_t mtime_ns = -1;
  uint64_t inode = 0;
  bool operator==(const FileStamp&) const = default;
};
// NOT_FOUND naming the file if it cannot be stat'ed.
[[nodiscard]] absl::StatusOr<FileStamp> StampOf(const std::string& path);

template <typename T>
class FileReloader {
 public:
  using Build = std::function<absl::StatusOr<std::shared_ptr<const T>>(const std::string& path)>;
  using Version = std::function<std::string(const T&)>;

  // Loads the file once; fails (with the file's error) if it is missing or bad.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<FileReloader>> Create(std::string path, Build build,
                                                                           Version version) {
    absl::StatusOr<FileStamp> stamp = StampOf(path);
    if (!stamp.ok()) return stamp.status();
    absl::StatusOr<std::shared_ptr<const T>> first = build(path);
    if (!first.ok()) return first.status();
    return std::unique_ptr<FileReloader>(
        new FileReloader(std::move(path), std::move(build), std::move(version), *std::move(first), *stamp));
  }

  // Thread-safe; never null.
  std::shared_ptr<const T> Current() const { return current_.load(std::memory_order_acquire); }

  // Reloads the file if it changed. true if a new object was swapped in,
  // false if nothing changed (or the change was already refused), or the
  // error that made it refuse a changed file. Thread-safe.
  [[nodiscard]] absl::StatusOr<bool> Poll() { return Reload(false); }
  // Reloads regardless of the file's stamp. OK if swapped in.
  [[nodiscard]] absl::Status ReloadNow() { return Reload(true).status(); }

  const std::string& path() const { return path_; }
  std::string CurrentVersion() const { return version_(*Current()); }

 private:
  FileReloader(std::string path, Build build, Version version, std::shared_ptr<const T> first, FileStamp stamp)
      : path_(std::move(path)), build_(std::move(build)), version_(std::move(version)), current_(std::move(first)),
        loaded_(stamp), refused_(stamp) {}

  absl::StatusOr<bool> Reload(bool force) {
    std::lock_guard<std::mutex> lock(mu_);
    // A missing file (e.g. mid-rename by a config pusher) keeps the old one.
    absl::StatusOr<FileStamp> stamp = StampOf(path_);
    if (!stamp.ok()) return stamp.status();
    if (!force && (*stamp == loaded_ || *stamp == refused_)) return false;
    absl::StatusOr<std::shared_ptr<const T>> next = build_(path_);
    if (!next.ok()) {
      refused_ = *stamp;
      return absl::Status(next.status().code(), absl::StrCat("refused the new file, still serving version '",
                                                             version_(*Current()), "': ", next.status().message()));
    }
    current_.store(*std::move(next), std::memory_order_release);
    loaded_ = *stamp;
    return true;
  }

  const std::string path_;
  const Build build_;
  const Version version_;
  std::atomic<std::shared_ptr<const T>> current_;
  std::mutex mu_;
  FileStamp loaded_;   // Guarded by mu_.
  FileStamp refused_;  // Last refused stamp; guarded by mu_.
};

}  // namespace fbl::config
