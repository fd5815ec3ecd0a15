#pragma once
// Live reload of the red-alert rules file: a config::FileReloader of the
// compiled Matcher (see libs/runtime/file_reloader.h).
//
//   auto reloader = fbl::redalert::CreateRuleReloader("/etc/fbl/red_alert.yaml");
//   absl::StatusOr<bool> swapped = (*reloader)->Poll();   // each tick; error = refused, old rules serve
//   std::shared_ptr<const Matcher> m = (*reloader)->Current();

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "libs/redalert/matcher.h"
#include "libs/runtime/file_reloader.h"

namespace fbl::redalert {

using RuleReloader = config::FileReloader<Matcher>;

// Loads and compiles the rules file; fails with its error if it is missing or bad.
[[nodiscard]] absl::StatusOr<std::unique_ptr<RuleReloader>> CreateRuleReloader(std::string path);

}  // namespace fbl::redalert
