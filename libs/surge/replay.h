#pragma once
// Measuring the surge policy on real data (surge-eval and the replay test):
// replay timestamped reports window by window, count the warnings on the
// untouched data (all false by construction of the question: nothing was
// injected) and the detection delay of injected surges.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/surge/surge.h"

namespace fbl::surge {

// Reports with their window and the keys each one counts toward.
struct ReplayData {
  std::string name;
  // True when the timestamps were made up (say so next to every figure).
  bool synthetic_timing = false;
  std::string timing_note;
  std::vector<std::string> window_labels;  // one per window, in order
  std::vector<std::string> kinds;          // e.g. "model", "system", "model*system"
  std::vector<std::string> keys;           // "model:速腾", "system:B", "model*system:速腾*B"
  std::vector<int> key_kind;               // index into kinds, per key
  struct Report {
    int window = 0;
    std::vector<int> keys;  // indices into keys
  };
  std::vector<Report> reports;
};

// shared/data/car_complaints.csv: one report per row, window = its date
// (`datetime`, daily). Keys: car_model; system letter of each problem code
// ("B33,B19," -> B); model x letter. The file holds 22 collection days in
// four bursts (2020-06, 2020-08, 2021-01/02) with months between: windows
// are those days in order (calendar days without a single report are
// collection gaps, not quiet days, and are left out).
[[nodiscard]] absl::StatusOr<ReplayData> LoadCarComplaints(const std::string& path);

// shared/data/online_shopping_10_cats.csv with SYNTHETIC timing: every
// review gets a day in `weeks` weeks drawn (seeded) with a weekly rhythm:
// Monday-heavy for all categories except 酒店 (hotel), which is weekend-heavy.
// Keys: category; category x negative (label 0).
[[nodiscard]] absl::StatusOr<ReplayData> LoadOnlineShoppingSynthetic(const std::string& path, uint64_t seed,
                                                                     int weeks);

struct ReplayOptions {
  Policy policy;
  // EvaluateShare or Evaluate. The share baseline measures a key against the
  // reports of the window that carry a key of the same kind (for the system
  // keys: reports with at least one problem code).
  bool share = true;
  // -1: all keys; 0 / 1: one half of the keys ("even" / "odd"): within each
  // kind, keys ordered by a hash of their name and dealt alternately (tune
  // on one half, report on the other).
  int key_half = -1;
  // Windows before this are history only (default: policy.min_history).
  int warmup = -1;
  // Injected surges: this many per key kind, (key, start window) drawn with `seed`.
  uint64_t seed = 1;
  int injections_per_kind = 200;
  // A surge lasts this many windows. Its volume per window is
  // V = max(surge_factor * mu, min_surge), mu = the key's mean count over the
  // baseline windows before the start that have reports of its kind; each window gets Poisson(V - mu)
  // extra reports on top of the real ones (copies of the key's real reports:
  // +1 to the key, +1 to the window total of its kind).
  int surge_windows = 3;
  double surge_factor = 3.0;
  double min_surge = 10;
  // How many false warnings to list.
  int examples = 12;
};

struct FalseWarningRow {
  std::string kind;  // or "all"
  int keys = 0;
  int64_t key_windows = 0;
  int64_t warnings = 0;  // surge verdicts
  int64_t alerts = 0;    // after Advance (one per episode)
  double per_1000() const { return key_windows ? 1000.0 * warnings / key_windows : 0; }
  double alerts_per_1000() const { return key_windows ? 1000.0 * alerts / key_windows : 0; }
};

struct WarningExample {
  std::string key;
  std::string window;
  Verdict verdict;
};

struct InjectionRow {
  std::string group;  // kind, baseline band, or "all"
  int n = 0;
  int within1 = 0;  // caught in the first surge window
  int within2 = 0;  // ... by the second (includes within1)
  int within_all = 0;  // ... by the last surge window
  int missed = 0;
  double mean_mu = 0;
  double rate_within2() const { return n ? static_cast<double>(within2) / n : 0; }
};

struct MissedSurge {
  std::string key;
  std::string start;
  double mu = 0;
  std::vector<Verdict> verdicts;  // one per surge window
};

struct ReplayReport {
  int windows = 0;
  int evaluated_windows = 0;
  std::vector<FalseWarningRow> false_warnings;  // per kind, then "all"
  std::vector<WarningExample> examples;
  std::vector<InjectionRow> injections;  // per kind, per mu band, then "all"
  std::vector<MissedSurge> missed;        // not caught within 2 windows (at most `examples`)
  const FalseWarningRow& all_false() const { return false_warnings.back(); }
  const InjectionRow& all_injected() const { return injections.back(); }
};

[[nodiscard]] absl::StatusOr<ReplayReport> RunReplay(const ReplayData& data, const ReplayOptions& options);

// Plain-text tables of a report.
std::string FormatReport(const ReplayData& data, const ReplayOptions& options, const ReplayReport& report);

}  // namespace fbl::surge
