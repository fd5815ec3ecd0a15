#include "libs/redalert/reloader.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libs/redalert/rules.h"

namespace fbl::redalert {

absl::StatusOr<RuleReloader::Stamp> RuleReloader::StampOf(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return absl::NotFoundError(absl::StrCat("rules ", path, ": cannot stat: ", std::strerror(errno)));
  }
  Stamp s;
  s.size = static_cast<int64_t>(st.st_size);
  s.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  s.inode = static_cast<uint64_t>(st.st_ino);
  return s;
}

absl::StatusOr<std::shared_ptr<const Matcher>> RuleReloader::Build(const std::string& path) {
  absl::StatusOr<RuleSet> rules = LoadRuleSet(path);
  if (!rules.ok()) return rules.status();
  return Matcher::Create(*rules);
}

absl::StatusOr<std::unique_ptr<RuleReloader>> RuleReloader::Create(std::string path) {
  absl::StatusOr<Stamp> stamp = StampOf(path);
  if (!stamp.ok()) return stamp.status();
  absl::StatusOr<std::shared_ptr<const Matcher>> m = Build(path);
  if (!m.ok()) return m.status();
  return std::unique_ptr<RuleReloader>(new RuleReloader(std::move(path), *std::move(m), *stamp));
}

absl::StatusOr<bool> RuleReloader::Poll() {
  std::lock_guard<std::mutex> lock(mu_);
  absl::StatusOr<Stamp> stamp = StampOf(path_);
  if (!stamp.ok()) {
    // A missing file (e.g. mid-rename by a config pusher) keeps the old rules.
    return stamp.status();
  }
  if (*stamp == loaded_ || *stamp == refused_) return false;
  absl::StatusOr<std::shared_ptr<const Matcher>> m = Build(path_);
  if (!m.ok()) {
    refused_ = *stamp;
    return absl::Status(m.status().code(),
                        absl::StrCat("refused new rules, still serving version '", holder_.Get()->version(),
                                     "': ", m.status().message()));
  }
  holder_.Set(*std::move(m));
  loaded_ = *stamp;
  return true;
}

absl::Status RuleReloader::ReloadNow() {
  std::lock_guard<std::mutex> lock(mu_);
  absl::StatusOr<Stamp> stamp = StampOf(path_);
  if (!stamp.ok()) return stamp.status();
  absl::StatusOr<std::shared_ptr<const Matcher>> m = Build(path_);
  if (!m.ok()) {
    refused_ = *stamp;
    return absl::Status(m.status().code(),
                        absl::StrCat("refused new rules, still serving version '", holder_.Get()->version(),
                                     "': ", m.status().message()));
  }
  holder_.Set(*std::move(m));
  loaded_ = *stamp;
  return absl::OkStatus();
}

}  // namespace fbl::redalert
