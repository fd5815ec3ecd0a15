#pragma once
// Shared helpers for the redalert unit tests.

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "libs/redalert/matcher.h"
#include "libs/redalert/rules.h"

#ifndef FBL_REDALERT_RULES
#define FBL_REDALERT_RULES "deploy/rules/red_alert.yaml"
#endif
#ifndef FBL_REDALERT_LABELLED
#define FBL_REDALERT_LABELLED "tests/data/redalert/labelled.jsonl"
#endif

namespace fbl::redalert::testing {

// The production rules file, compiled once for all tests.
inline std::shared_ptr<const Matcher> ProductionMatcher() {
  static const std::shared_ptr<const Matcher> m = [] {
    absl::StatusOr<RuleSet> rules = LoadRuleSet(FBL_REDALERT_RULES);
    EXPECT_TRUE(rules.ok()) << rules.status();
    if (!rules.ok()) return std::shared_ptr<const Matcher>();
    absl::StatusOr<std::shared_ptr<const Matcher>> matcher = Matcher::Create(*rules);
    EXPECT_TRUE(matcher.ok()) << matcher.status();
    return matcher.ok() ? *matcher : std::shared_ptr<const Matcher>();
  }();
  return m;
}

}  // namespace fbl::redalert::testing
