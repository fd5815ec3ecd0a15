#pragma once
// The services' reload step for a live data file (rules, taxonomy, model):
// poll it (or, on SIGHUP, reload it regardless), log what happened.

#include <optional>
#include <string>

#include "libs/runtime/file_reloader.h"
#include "libs/runtime/log.h"

namespace fbl::runtime {

// nullopt: unchanged; true: the new file serves; false: refused, the old one
// keeps serving (logged as an error with the reason).
template <typename T>
std::optional<bool> ReloadAndLog(config::FileReloader<T>& reloader, bool forced, const std::string& what) {
  absl::StatusOr<bool> changed = true;
  if (forced) {
    if (absl::Status s = reloader.ReloadNow(); !s.ok()) changed = s;
  } else {
    changed = reloader.Poll();
  }
  if (!changed.ok()) {
    log::Error(what + " refused; the previous one keeps serving", {{"error", std::string(changed.status().message())}});
    return false;
  }
  if (!*changed) return std::nullopt;
  log::Info(what + " reloaded", {{"version", reloader.CurrentVersion()}});
  return true;
}

}  // namespace fbl::runtime
