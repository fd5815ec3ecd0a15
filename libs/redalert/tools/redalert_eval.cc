// redalert-eval: precision, recall, F1 and throughput of the red-alert rules
// on the labelled set.
//
//   redalert-eval --rules deploy/rules/red_alert.yaml
//                 --data tests/data/redalert/labelled.jsonl [--split holdout|dev|all] [--show-errors]
//
// Exit code 0 on success, 2 on bad arguments or unreadable input.

#include <cstdio>
#include <iostream>
#include <string>
#include <string_view>

#include "libs/redalert/evaluation.h"
#include "libs/redalert/matcher.h"
#include "libs/redalert/rules.h"

namespace {

int Usage() {
  std::cerr << "usage: redalert-eval --rules FILE --data FILE [--split holdout|dev|all] [--show-errors]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string rules_path, data_path, split = "holdout";
  bool show_errors = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--rules" && i + 1 < argc) {
      rules_path = argv[++i];
    } else if (a == "--data" && i + 1 < argc) {
      data_path = argv[++i];
    } else if (a == "--split" && i + 1 < argc) {
      split = argv[++i];
    } else if (a == "--show-errors") {
      show_errors = true;
    } else {
      return Usage();
    }
  }
  if (rules_path.empty() || data_path.empty() || (split != "holdout" && split != "dev" && split != "all")) {
    return Usage();
  }
  auto rules = fbl::redalert::LoadRuleSet(rules_path);
  if (!rules.ok()) {
    std::cerr << rules.status().message() << "\n";
    return 2;
  }
  auto matcher = fbl::redalert::Matcher::Create(*rules);
  if (!matcher.ok()) {
    std::cerr << matcher.status().message() << "\n";
    return 2;
  }
  auto rows = fbl::redalert::LoadLabelled(data_path);
  if (!rows.ok()) {
    std::cerr << rows.status().message() << "\n";
    return 2;
  }
  const fbl::redalert::EvalReport report = fbl::redalert::Evaluate(**matcher, *rows, split);
  std::cout << fbl::redalert::FormatReport(report, show_errors);
  return 0;
}
