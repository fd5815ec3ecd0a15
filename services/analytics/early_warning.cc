#include "services/analytics/early_warning.h"

#include <cinttypes>
#include <cstdio>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "libs/runtime/proto_time.h"

namespace fbl::surge {

void BindConfig(config::Binder& b, Policy& c) {
  b.Field("window", c.window);
  b.Field("baseline_windows", c.baseline_windows);
  b.Field("min_history", c.min_history);
  b.Field("min_count", c.min_count);
  b.Field("min_ratio", c.min_ratio);
  b.Field("max_p_value", c.max_p_value);
  b.Field("floor_rate", c.floor_rate);
  b.Field("weekly", c.weekly);
  b.Field("weekly_shrinkage", c.weekly_shrinkage);
  b.Field("span_windows", c.span_windows);
  b.Field("cooldown_windows", c.cooldown_windows);
  b.Field("regrowth_ratio", c.regrowth_ratio);
  if (absl::Status s = ValidatePolicy(c); !s.ok()) b.Fail("", std::string(s.message()));
  const int64_t minutes = absl::ToInt64Minutes(c.window);
  if (c.window != absl::Minutes(minutes) || minutes % 60 != 0 || (24 * 60) % minutes != 0) {
    b.Fail("window", "must be whole hours dividing a day (1h, 2h, 3h, 4h, 6h, 8h, 12h or 24h)");
  }
}

}  // namespace fbl::surge

namespace fbl::analytics {

namespace apb = ::feedbackloop::alerting::v1;

void BindConfig(config::Binder& b, EarlyWarningConfig& c) {
  b.Field("enabled", c.enabled);
  b.Field("interval", c.interval);
  b.Field("lease", c.lease);
  b.Field("max_catch_up", c.max_catch_up);
  b.Field("dimensions", c.dimensions);
  b.Field("policy", c.policy);
  if (c.interval < absl::Seconds(1)) b.Fail("interval", "must be at least 1s");
  if (c.lease <= c.interval) b.Fail("lease", "must be longer than interval");
  if (c.max_catch_up < 1) b.Fail("max_catch_up", "must be positive");
  for (size_t i = 0; i < c.dimensions.size(); ++i) {
    const std::string& d = c.dimensions[i];
    if (d != "l2" && d != "l3" && d != "model" && d != "batch" && d != "ptype") {
      b.Fail(absl::StrCat("dimensions[", i, "]"), "one of l2, l3, model, batch, ptype");
    }
  }
}

namespace {

// Stable across processes and builds (alert ids must not change).
std::string Fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return absl::StrFormat("%016x", h);
}

std::string Encode(const surge::EpisodeState& s) {
  return absl::StrCat(s.active ? 1 : 0, ",", s.alerted_count, ",", s.quiet_windows);
}

surge::EpisodeState Decode(const std::string& v) {
  surge::EpisodeState s;
  std::vector<std::string> parts = absl::StrSplit(v, ',');
  int active = 0;
  if (parts.size() == 3 && absl::SimpleAtoi(parts[0], &active) && absl::SimpleAtoi(parts[1], &s.alerted_count) &&
      absl::SimpleAtoi(parts[2], &s.quiet_windows)) {
    s.active = active != 0;
  }
  return s;
}

bool Idle(const surge::EpisodeState& s) { return !s.active && s.alerted_count == 0 && s.quiet_windows == 0; }

constexpr char kLast[] = "last_window";
constexpr char kEpisode[] = "ep:";

}  // namespace

absl::Time EarlyWarning::WindowStart(absl::Time t) const {
  const Buckets& b = queries_.buckets();
  const absl::Time day = b.Start(t, Granularity::kDay);
  const absl::Duration w = config_.policy.window;
  absl::Duration rem;
  return day + w * absl::IDivDuration(t - day, w, &rem);
}

absl::StatusOr<std::vector<Warning>> EarlyWarning::RunOnce(absl::Time now) {
  std::vector<Warning> published;
  if (!config_.enabled) return published;
  auto lead = store_.Lead(owner_, config_.lease);
  if (!lead.ok()) return lead.status();
  if (!*lead) return published;
  auto state = store_.LoadState();
  if (!state.ok()) return state.status();
  const absl::Duration w = config_.policy.window;
  const absl::Time open = WindowStart(now);
  absl::Time next = open - w;  // first run: the window that just closed
  if (auto it = state->find(kLast); it != state->end()) {
    int64_t last = 0;
    if (absl::SimpleAtoi(it->second, &last)) next = absl::FromUnixSeconds(last) + w;
  }
  std::vector<absl::Time> todo;
  for (absl::Time t = WindowStart(next); t < open; t += w) todo.push_back(t);
  if (todo.size() > static_cast<size_t>(config_.max_catch_up)) {
    todo.erase(todo.begin(), todo.end() - config_.max_catch_up);
  }
  absl::flat_hash_map<std::string, std::string> episodes;
  for (const auto& [k, v] : *state) {
    if (absl::StartsWith(k, kEpisode)) episodes[k.substr(sizeof(kEpisode) - 1)] = v;
  }
  for (const absl::Time window : todo) {
    auto warnings = Evaluate(window, episodes);
    if (!warnings.ok()) return warnings.status();
    if (!warnings->empty()) {
      if (absl::Status s = publish_(*warnings); !s.ok()) return s;
    }
    absl::flat_hash_map<std::string, std::string> save;
    save[kLast] = std::to_string(absl::ToUnixSeconds(window));
    for (const auto& [k, v] : episodes) save[kEpisode + k] = v;
    if (absl::Status s = store_.SaveState(save); !s.ok()) return s;
    published.insert(published.end(), warnings->begin(), warnings->end());
  }
  return published;
}

absl::StatusOr<std::vector<Warning>> EarlyWarning::Evaluate(absl::Time window,
                                                           absl::flat_hash_map<std::string, std::string>& episodes) {
  const surge::Policy& p = config_.policy;
  const absl::Duration w = p.window;
  const int n = p.baseline_windows;
  const Span span{window - w * n, window + w};
  const Granularity g = w == absl::Hours(24) ? Granularity::kDay : Granularity::kHour;
  auto series = queries_.Series(span, g);
  if (!series.ok()) return series.status();
  std::vector<Counts> windows(n + 1);
  // Per window, the reports carrying a value of each dimension ("<dim>=" → n):
  // the share baseline measures a key against the rest of its kind.
  std::vector<Counts> totals(n + 1);
  for (auto& [start, counts] : *series) {
    absl::Duration rem;
    const int64_t i = absl::IDivDuration(start - span.start, w, &rem);
    if (i < 0 || i > n) continue;
    for (const auto& [f, v] : counts) {
      windows[i][f] += v;
      const size_t eq = f.find('=');
      if (eq != std::string::npos) totals[i][f.substr(0, eq + 1)] += v;
    }
  }
  // Keys worth a look: enough feedback now, or an episode in progress.
  std::set<std::string> keys;
  for (const auto& [field, v] : windows[n]) {
    if (v < p.min_count) continue;
    for (const std::string& d : config_.dimensions) {
      if (absl::StartsWith(field, d + "=")) keys.insert(field);
    }
  }
  for (const auto& [field, v] : episodes) keys.insert(field);

  std::vector<Warning> out;
  std::vector<int64_t> history(n), total_history(n);
  auto get = [](const Counts& c, const std::string& k) -> int64_t {
    auto it = c.find(k);
    return it == c.end() ? 0 : it->second;
  };
  for (const std::string& field : keys) {
    const std::string kind = field.substr(0, field.find('=') + 1);
    for (int i = 0; i < n; ++i) {
      history[i] = get(windows[i], field);
      total_history[i] = get(totals[i], kind);
    }
    const int64_t observed = get(windows[n], field);
    auto share = surge::EvaluateShare(observed, get(totals[n], kind), history, total_history, p);
    if (!share.ok()) return share.status();
    const surge::Verdict& verdict = *share;
    auto ep = episodes.find(field);
    const surge::Decision d = surge::Advance(ep == episodes.end() ? surge::EpisodeState{} : Decode(ep->second),
                                             verdict, p);
    if (Idle(d.state)) {
      episodes.erase(field);
    } else {
      episodes[field] = Encode(d.state);
    }
    if (!d.publish) continue;
    const size_t eq = field.find('=');
    const std::string dim = field.substr(0, eq), value = field.substr(eq + 1);
    std::string label = value;
    if (dim == "l3" || dim == "l2") {
      auto names = store_.Names({value});
      if (names.ok() && names->contains(value)) label = absl::StrCat((*names)[value], " (", value, ")");
    }
    const std::string window_label = queries_.buckets().HourLabel(window);
    Warning warning;
    warning.dimension = dim;
    apb::Alert& a = *warning.event.mutable_alert();
    a.set_alert_id(absl::StrCat("qr-", dim, "-", Fnv1a(value), "-", window_label));
    a.set_kind(apb::ALERT_KIND_QUALITY_RISK);
    a.set_category(apb::ALERT_CATEGORY_QUALITY_RISK);
    a.set_severity(verdict.ratio >= 5 || observed >= 50 ? apb::SEVERITY_SEV2_HIGH : apb::SEVERITY_SEV3_MEDIUM);
    a.set_summary(absl::StrFormat("质量风险预警 quality risk: %s — %d feedback in the window from %s, expected %.1f (×%.1f)",
                                  label, observed, absl::FormatTime("%Y-%m-%d %H:%M", window, queries_.buckets().zone()),
                                  verdict.expected, verdict.ratio));
    a.set_group_key(absl::StrCat("quality:", dim, ":", value));
    a.set_state(apb::ALERT_STATE_OPEN);
    *a.mutable_created_at() = runtime::ToProto(window + w);
    auto& labels = *a.mutable_labels();
    labels["dimension"] = dim;
    labels["value"] = value;
    labels["window_start"] = absl::FormatTime(absl::RFC3339_sec, window, absl::UTCTimeZone());
    labels["window"] = absl::FormatDuration(w);
    labels["observed"] = std::to_string(observed);
    labels["expected"] = absl::StrFormat("%.2f", verdict.expected);
    labels["p_value"] = absl::StrFormat("%.3g", verdict.p_value);
    labels["reason"] = d.reason.empty() ? verdict.reason : d.reason;
    warning.event.set_event_id(a.alert_id() + "-raised");
    warning.event.set_type(apb::ALERT_EVENT_TYPE_RAISED);
    *warning.event.mutable_occurred_at() = a.created_at();
    warning.event.set_actor("analytics");
    out.push_back(std::move(warning));
  }
  return out;
}

}  // namespace fbl::analytics
