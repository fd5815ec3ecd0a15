// surge-eval: false warnings and detection delay of the surge policy,
// replaying real timestamped reports (see libs/surge/README.md).
//
//   surge-eval --data ../shared/data/car_complaints.csv [--dataset car]
//   surge-eval --data ../shared/data/online_shopping_10_cats.csv --dataset shopping   # SYNTHETIC timing
//
// Options override the default Policy (--min-count, --min-ratio, --max-p,
// --floor, --weekly, --baseline absolute|share ...), the injection
// (--seed, --injections, --surge-windows, --surge-factor, --min-surge) and the
// key half (--keys all|even|odd). Exit 0 on success, 2 on bad input.

#include <cstdint>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "libs/surge/replay.h"
#include "libs/surge/surge.h"

int main(int argc, char** argv) {
  CLI::App app{"surge-eval: replay timestamped reports through the surge policy"};
  std::string data_path, dataset = "car", baseline = "share", keys = "all", weekly = "default";
  fbl::surge::ReplayOptions opt;
  int weeks = 26, window_hours = 24;
  uint64_t timing_seed = 7;
  app.add_option("--data", data_path, "CSV file")->required();
  app.add_option("--dataset", dataset, "car (car_complaints.csv) or shopping (online_shopping_10_cats.csv, synthetic timing)")
      ->check(CLI::IsMember({"car", "shopping"}));
  app.add_option("--baseline", baseline, "share (against all other keys) or absolute")
      ->check(CLI::IsMember({"share", "absolute"}));
  app.add_option("--keys", keys, "all, even or odd half of the keys (by name hash)")
      ->check(CLI::IsMember({"all", "even", "odd"}));
  app.add_option("--weekly", weekly, "true/false (default: on for shopping, off for car: its windows are collection days)")
      ->check(CLI::IsMember({"default", "true", "false"}));
  app.add_option("--window-hours", window_hours, "window length in hours (labels only; the data is daily)");
  app.add_option("--baseline-windows", opt.policy.baseline_windows);
  app.add_option("--min-history", opt.policy.min_history);
  app.add_option("--min-count", opt.policy.min_count);
  app.add_option("--min-ratio", opt.policy.min_ratio);
  app.add_option("--max-p", opt.policy.max_p_value);
  app.add_option("--floor", opt.policy.floor_rate);
  app.add_option("--weekly-shrinkage", opt.policy.weekly_shrinkage);
  app.add_option("--span", opt.policy.span_windows, "also test sums of the last 2..N windows");
  app.add_option("--warmup", opt.warmup, "windows of history only (default min_history)");
  app.add_option("--seed", opt.seed, "injection seed");
  app.add_option("--injections", opt.injections_per_kind, "injected surges per key kind");
  app.add_option("--surge-windows", opt.surge_windows);
  app.add_option("--surge-factor", opt.surge_factor);
  app.add_option("--min-surge", opt.min_surge, "least surged volume per window");
  app.add_option("--examples", opt.examples, "false warnings to list");
  app.add_option("--weeks", weeks, "shopping: weeks of synthetic timeline");
  app.add_option("--timing-seed", timing_seed, "shopping: seed of the synthetic timestamps");
  CLI11_PARSE(app, argc, argv);

  opt.share = baseline == "share";
  opt.key_half = keys == "all" ? -1 : (keys == "even" ? 0 : 1);
  opt.policy.window = absl::Hours(window_hours);
  opt.policy.weekly = weekly == "default" ? dataset == "shopping" : weekly == "true";

  auto data = dataset == "car" ? fbl::surge::LoadCarComplaints(data_path)
                               : fbl::surge::LoadOnlineShoppingSynthetic(data_path, timing_seed, weeks);
  if (!data.ok()) {
    std::cerr << data.status().message() << "\n";
    return 2;
  }
  auto report = fbl::surge::RunReplay(*data, opt);
  if (!report.ok()) {
    std::cerr << report.status().message() << "\n";
    return 2;
  }
  std::cout << fbl::surge::FormatReport(*data, opt, *report);
  return 0;
}
