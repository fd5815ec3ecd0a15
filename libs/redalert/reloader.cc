#include "libs/redalert/reloader.h"

#include <utility>

#include "libs/redalert/rules.h"

namespace fbl::redalert {

absl::StatusOr<std::unique_ptr<RuleReloader>> CreateRuleReloader(std::string path) {
  return RuleReloader::Create(
      std::move(path),
      [](const std::string& p) -> absl::StatusOr<std::shared_ptr<const Matcher>> {
        absl::StatusOr<RuleSet> rules = LoadRuleSet(p);
        if (!rules.ok()) return rules.status();
        return Matcher::Create(*rules);
      },
      [](const Matcher& m) { return m.version(); });
}

}  // namespace fbl::redalert
