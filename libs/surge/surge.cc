#include "libs/surge/surge.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"

namespace fbl::surge {
namespace {

absl::Status Bad(absl::string_view field, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("surge policy: ", field, " ", what));
}

// A key's series with the window being judged last: counts[i] and the
// exposure of each window (1 for the absolute baseline; the volume of all
// other keys for the share baseline).
struct Series {
  std::vector<double> counts;
  std::vector<double> exposures;
  size_t size() const { return counts.size(); }
};

// Expected count of window t from windows [0, t): the baseline rate per
// unit of exposure (the last baseline_windows of them; with the weekly
// rhythm the same-phase rate shrunk toward the level by weekly_shrinkage
// pseudo-windows) times t's exposure, floored.
double ExpectedAt(const Series& s, size_t t, const Policy& policy) {
  const int season = SeasonLength(policy);
  const size_t n = std::min(t, static_cast<size_t>(policy.baseline_windows));
  double key = 0, exposure = 0, phase_key = 0, phase_exposure = 0;
  int phase_windows = 0;
  for (size_t back = 1; back <= n; ++back) {
    const size_t i = t - back;
    key += s.counts[i];
    exposure += s.exposures[i];
    if (season > 0 && back % season == 0) {
      phase_key += s.counts[i];
      phase_exposure += s.exposures[i];
      ++phase_windows;
    }
  }
  double rate = 0;
  if (exposure > 0) {
    rate = key / exposure;
    if (phase_windows > 0 && phase_exposure > 0) {
      // k pseudo-windows of the phase's own mean exposure at the level rate:
      // rate = (n * phase_rate + k * level) / (n + k) in window terms.
      const double pseudo = policy.weekly_shrinkage * phase_exposure / phase_windows;
      rate = (phase_key + pseudo * rate) / (phase_exposure + pseudo);
    }
  }
  return std::max(policy.floor_rate, rate * s.exposures[t]);
}

struct Test {
  bool pass = false;
  int span = 1;
  int64_t observed = 0;
  double expected = 0, ratio = 0, p_value = 1;
  const char* failed = "";  // the first threshold missed
};

Test RunTest(int64_t observed, double expected, int span, const Policy& policy) {
  Test t;
  t.span = span;
  t.observed = observed;
  t.expected = expected;
  t.ratio = expected > 0 ? static_cast<double>(observed) / expected : std::numeric_limits<double>::infinity();
  t.p_value = PoissonUpperTail(observed, expected);
  if (observed < policy.min_count * span) {
    t.failed = "below min_count";
  } else if (t.ratio < policy.min_ratio) {
    t.failed = "below min_ratio";
  } else if (t.p_value > policy.max_p_value) {
    t.failed = "p-value above max_p_value";
  } else {
    t.pass = true;
  }
  return t;
}

Verdict Judge(const Series& s, const Policy& policy) {
  const size_t now = s.size() - 1;
  Verdict v;
  v.ready = true;
  v.observed = static_cast<int64_t>(s.counts[now]);
  v.expected = ExpectedAt(s, now, policy);
  Test decided = RunTest(v.observed, v.expected, 1, policy);
  if (!decided.pass && s.counts[now] > v.expected) {
    int64_t sum_observed = v.observed;
    double sum_expected = v.expected;
    for (int span = 2; span <= policy.span_windows && now + 1 >= static_cast<size_t>(span); ++span) {
      const size_t t = now + 1 - static_cast<size_t>(span);
      if (t < static_cast<size_t>(policy.min_history)) break;
      sum_observed += static_cast<int64_t>(s.counts[t]);
      sum_expected += ExpectedAt(s, t, policy);
      const Test test = RunTest(sum_observed, sum_expected, span, policy);
      if (test.pass) {
        decided = test;
        break;
      }
    }
  }
  v.surge = decided.pass;
  v.span = decided.span;
  v.span_observed = decided.observed;
  v.span_expected = decided.expected;
  v.ratio = decided.ratio;
  v.p_value = decided.p_value;
  v.reason = absl::StrFormat("%s: observed %d, expected %.3g", decided.pass ? "surge" : decided.failed, v.observed,
                             v.expected);
  if (decided.span > 1) {
    absl::StrAppendFormat(&v.reason, "; last %d windows %d vs %.3g", decided.span, decided.observed,
                          decided.expected);
  }
  absl::StrAppendFormat(&v.reason, ", ratio %.3g, p %.3g", v.ratio, v.p_value);
  return v;
}

Verdict WarmingUp(int64_t observed, size_t history, const Policy& policy) {
  Verdict v;
  v.observed = observed;
  v.span_observed = observed;
  v.reason = absl::StrFormat("warming up: %d of %d windows of history", history, policy.min_history);
  return v;
}

}  // namespace

int SeasonLength(const Policy& policy) {
  if (!policy.weekly || policy.window <= absl::ZeroDuration()) return 0;
  const absl::Duration week = absl::Hours(24 * 7);
  absl::Duration rest;
  const int64_t n = absl::IDivDuration(week, policy.window, &rest);
  if (n <= 0 || rest != absl::ZeroDuration()) return 0;
  return static_cast<int>(n);
}

absl::Status ValidatePolicy(const Policy& p) {
  if (p.window <= absl::ZeroDuration()) return Bad("window", "must be positive");
  if (p.weekly && SeasonLength(p) == 0) {
    return Bad("window", absl::StrCat("must divide a week when weekly is on (got ", absl::FormatDuration(p.window), ")"));
  }
  if (p.baseline_windows < 1) return Bad("baseline_windows", absl::StrCat("must be >= 1 (got ", p.baseline_windows, ")"));
  if (p.min_history < 1 || p.min_history > p.baseline_windows) {
    return Bad("min_history", absl::StrCat("must be in [1, baseline_windows] (got ", p.min_history, ")"));
  }
  if (p.min_count < 1) return Bad("min_count", absl::StrCat("must be >= 1 (got ", p.min_count, ")"));
  if (!(p.min_ratio >= 1) || !std::isfinite(p.min_ratio)) {
    return Bad("min_ratio", absl::StrCat("must be >= 1 (got ", p.min_ratio, ")"));
  }
  if (!(p.max_p_value > 0 && p.max_p_value <= 1)) {
    return Bad("max_p_value", absl::StrCat("must be in (0, 1] (got ", p.max_p_value, ")"));
  }
  if (!(p.floor_rate > 0) || !std::isfinite(p.floor_rate)) {
    return Bad("floor_rate", absl::StrCat("must be > 0 (got ", p.floor_rate, ")"));
  }
  if (!(p.weekly_shrinkage >= 0) || !std::isfinite(p.weekly_shrinkage)) {
    return Bad("weekly_shrinkage", absl::StrCat("must be >= 0 (got ", p.weekly_shrinkage, ")"));
  }
  if (p.span_windows < 1) return Bad("span_windows", absl::StrCat("must be >= 1 (got ", p.span_windows, ")"));
  if (p.cooldown_windows < 1) return Bad("cooldown_windows", absl::StrCat("must be >= 1 (got ", p.cooldown_windows, ")"));
  if (!(p.regrowth_ratio > 1) || !std::isfinite(p.regrowth_ratio)) {
    return Bad("regrowth_ratio", absl::StrCat("must be > 1 (got ", p.regrowth_ratio, ")"));
  }
  return absl::OkStatus();
}

double PoissonUpperTail(int64_t k, double lambda) {
  if (k <= 0) return 1.0;
  if (!(lambda > 0)) return 0.0;
  const double kd = static_cast<double>(k);
  if (kd > lambda) {
    // Upper tail: terms fall from pmf(k) on, sum until negligible.
    double term = std::exp(-lambda + kd * std::log(lambda) - std::lgamma(kd + 1));
    double sum = 0;
    for (double i = kd; term > 0; ++i) {
      sum += term;
      if (term < sum * 1e-17) break;
      term *= lambda / (i + 1);
    }
    return std::min(sum, 1.0);
  }
  // k <= lambda: the tail is >= ~1/2, take 1 - P(X <= k-1), summing the
  // lower part downward from its largest term pmf(k-1).
  const double top = kd - 1;
  double term = std::exp(-lambda + top * std::log(lambda) - std::lgamma(top + 1));
  double sum = 0;
  for (double i = top; i >= 0 && term > 0; --i) {
    sum += term;
    if (term < sum * 1e-17) break;
    term *= i / lambda;
  }
  return std::clamp(1.0 - sum, 0.0, 1.0);
}

Verdict Evaluate(int64_t observed, std::span<const int64_t> history, const Policy& policy) {
  observed = std::max<int64_t>(observed, 0);
  if (history.size() < static_cast<size_t>(policy.min_history)) {
    return WarmingUp(observed, history.size(), policy);
  }
  Series s;
  s.counts.reserve(history.size() + 1);
  for (int64_t c : history) s.counts.push_back(static_cast<double>(std::max<int64_t>(c, 0)));
  s.counts.push_back(static_cast<double>(observed));
  s.exposures.assign(s.counts.size(), 1.0);
  return Judge(s, policy);
}

absl::StatusOr<Verdict> EvaluateShare(int64_t observed, int64_t total, std::span<const int64_t> history,
                                      std::span<const int64_t> total_history, const Policy& policy) {
  if (history.size() != total_history.size()) {
    return absl::InvalidArgumentError(absl::StrFormat("surge: %d key windows but %d total windows",
                                                      history.size(), total_history.size()));
  }
  if (observed < 0 || total < observed) {
    return absl::InvalidArgumentError(absl::StrFormat("surge: window count %d outside [0, total %d]", observed, total));
  }
  for (size_t i = 0; i < history.size(); ++i) {
    if (history[i] < 0 || total_history[i] < history[i]) {
      return absl::InvalidArgumentError(absl::StrFormat("surge: history[%d] = %d outside [0, total %d]", i,
                                                        history[i], total_history[i]));
    }
  }
  if (history.size() < static_cast<size_t>(policy.min_history)) {
    return WarmingUp(observed, history.size(), policy);
  }
  Series s;
  for (size_t i = 0; i < history.size(); ++i) {
    s.counts.push_back(static_cast<double>(history[i]));
    s.exposures.push_back(static_cast<double>(total_history[i] - history[i]));
  }
  s.counts.push_back(static_cast<double>(observed));
  s.exposures.push_back(static_cast<double>(total - observed));
  return Judge(s, policy);
}

Decision Advance(const EpisodeState& state, const Verdict& verdict, const Policy& policy) {
  Decision d;
  d.state = state;
  if (verdict.surge) {
    d.state.quiet_windows = 0;
    if (!state.active) {
      d.state.active = true;
      d.state.alerted_count = verdict.observed;
      d.publish = true;
      d.reason = "new episode";
    } else if (static_cast<double>(verdict.observed) >=
               policy.regrowth_ratio * static_cast<double>(std::max<int64_t>(state.alerted_count, 1))) {
      d.state.alerted_count = verdict.observed;
      d.publish = true;
      d.reason = "grew again";
    } else {
      d.reason = "ongoing";
    }
    return d;
  }
  if (!state.active) {
    d.reason = "none";
    return d;
  }
  d.state.quiet_windows = state.quiet_windows + 1;
  if (d.state.quiet_windows >= policy.cooldown_windows) {
    d.state = EpisodeState{};
    d.reason = "episode ended";
  } else {
    d.reason = "quiet";
  }
  return d;
}

}  // namespace fbl::surge
