#pragma once
// Surge detection for the quality-risk early warning (ALR-4): is this window's
// feedback count for one key (an L3 problem tag, a product model, a batch)
// far above what the key's own history says to expect?
//
// Pure domain code (std + Abseil): the analytics service reads the window
// counts (from Redis), calls Evaluate / EvaluateShare at each window close,
// runs the verdict through Advance() to get one alert per episode, and
// publishes. See libs/surge/README.md for the model and the measured figures.

#include <cstdint>
#include <span>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace fbl::surge {

struct Policy {
  // Length of one window. With `weekly`, a week must be a whole number of
  // windows (1h, 6h, 24h, 7d ...): that number is the season length.
  absl::Duration window = absl::Hours(24);
  // How many previous windows make the baseline (the most recent ones).
  int baseline_windows = 28;
  // No verdict before the key has this many previous windows (warming up).
  int min_history = 7;
  // A surge needs at least this many reports in the window ...
  int64_t min_count = 5;
  // ... at least this many times the expected count ...
  double min_ratio = 2.0;
  // ... and an exact Poisson upper tail P(X >= observed | expected) at most this.
  double max_p_value = 1e-3;
  // The expected count is never below this (reports per window): a key seen
  // once a month does not "surge" on its second report.
  double floor_rate = 0.5;
  // Weekly rhythm: the expectation is the mean of the same window of the
  // previous weeks, shrunk toward the recent level by `weekly_shrinkage`
  // pseudo-weeks at the level (EvaluateShare: the same on the key's share).
  bool weekly = true;
  double weekly_shrinkage = 0.5;
  // Also test the sum of the last 2..span_windows windows (this one
  // included) against the sum of their expectations, with the same
  // thresholds (min_count per window): a sustained 3x rise that one window
  // cannot prove at max_p_value is caught at its second window. The window
  // being judged must itself be above its expectation. 1 = single windows.
  int span_windows = 2;
  // Episodes (Advance): an episode ends after this many windows without a
  // surge verdict; within an episode a new alert needs the count to reach
  // `regrowth_ratio` times the count of the last alert.
  int cooldown_windows = 2;
  double regrowth_ratio = 1.5;
};

// OK, or INVALID_ARGUMENT naming the first bad field, e.g.
// "surge policy: min_ratio must be >= 1 (got 0.5)".
[[nodiscard]] absl::Status ValidatePolicy(const Policy& policy);

// Windows per week for `policy` (0 when weekly is off or a week is not a
// whole number of windows; ValidatePolicy rejects the latter).
int SeasonLength(const Policy& policy);

struct Verdict {
  bool surge = false;
  // False while warming up (fewer than min_history previous windows).
  bool ready = false;
  int64_t observed = 0;  // this window's count
  double expected = 0;   // this window's expectation (after the floor)
  // The deciding test: over the last `span` windows (1 = this one alone;
  // the single-window test when nothing fired): summed counts and
  // expectations, their ratio and P(X >= span_observed), X ~ Poisson(span_expected).
  int span = 1;
  int64_t span_observed = 0;
  double span_expected = 0;
  double ratio = 0;
  double p_value = 1;
  // Why: "surge", "warming up", "below min_count", "below min_ratio",
  // "p-value above max_p_value" (with the figures).
  std::string reason;
};

// Absolute baseline. `history`: the key's counts of the previous windows,
// oldest first (history.back() is the window just before `observed`); the
// last baseline_windows + span_windows - 1 are used (more are ignored).
// Negative counts are read as 0.
// expected = max(floor_rate, level) with level the mean of the baseline, or
// with `weekly` (and at least one same-phase window in the baseline)
//   (sum of same-phase windows + k * level) / (number of them + k),
// k = weekly_shrinkage. Each earlier window of a span test gets its own
// expectation from the windows before it.
Verdict Evaluate(int64_t observed, std::span<const int64_t> history, const Policy& policy);

// Share-of-total baseline: the key is measured against the volume of all
// OTHER keys in the same windows (`total` counts every report of the window,
// the key's included). Follows global level changes, weekly rhythm and
// collection gaps without modelling them, and a surge of this key does not
// raise its own expectation (leave-one-out):
//   rate = sum(key) / sum(total - key) over the baseline (same-phase windows
//          shrunk toward it with `weekly`), expected = max(floor_rate,
//          rate * (total - observed)).
// INVALID_ARGUMENT when the histories differ in length or a count exceeds its total.
[[nodiscard]] absl::StatusOr<Verdict> EvaluateShare(int64_t observed, int64_t total,
                                                    std::span<const int64_t> history,
                                                    std::span<const int64_t> total_history, const Policy& policy);

// P(X >= k) for X ~ Poisson(lambda): 1 for k <= 0; exact summation in log
// space, accurate to ~1e-14 relative for tails down to 1e-300.
double PoissonUpperTail(int64_t k, double lambda);

// One alert per episode. The service keeps an EpisodeState per key (three
// small integers) next to the window counts.
struct EpisodeState {
  bool active = false;
  int64_t alerted_count = 0;  // observed count of the last published alert
  int quiet_windows = 0;      // windows since the last surge verdict
};

struct Decision {
  EpisodeState state;
  bool publish = false;
  // "new episode", "grew again", "ongoing", "quiet", "episode ended", "none".
  std::string reason;
};

// Feeds this window's verdict into the key's episode:
// - surge, no episode: publish, start one;
// - surge in an episode: publish only if observed >= regrowth_ratio x the
//   last alert's count ("grew again"), else stay quiet ("ongoing");
// - no surge in an episode: after cooldown_windows such windows it ends;
// - warming-up verdicts are treated as no surge.
Decision Advance(const EpisodeState& state, const Verdict& verdict, const Policy& policy);

}  // namespace fbl::surge
