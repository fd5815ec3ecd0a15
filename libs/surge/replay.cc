#include "libs/surge/replay.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <random>
#include <set>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "libs/dataset/csv_reader.h"

namespace fbl::surge {
namespace {

class KeyIndex {
 public:
  explicit KeyIndex(ReplayData& data) : data_(data) {}
  int Kind(const std::string& name) {
    auto it = std::find(data_.kinds.begin(), data_.kinds.end(), name);
    if (it != data_.kinds.end()) return static_cast<int>(it - data_.kinds.begin());
    data_.kinds.push_back(name);
    return static_cast<int>(data_.kinds.size()) - 1;
  }
  int Key(int kind, const std::string& name) {
    std::string full = absl::StrCat(data_.kinds[kind], ":", name);
    auto [it, inserted] = ids_.try_emplace(full, static_cast<int>(data_.keys.size()));
    if (inserted) {
      data_.keys.push_back(std::move(full));
      data_.key_kind.push_back(kind);
    }
    return it->second;
  }

 private:
  ReplayData& data_;
  absl::flat_hash_map<std::string, int> ids_;
};

uint64_t Fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// Which keys are in `half` (-1: all): within each kind the keys are ordered
// by a hash of their name and dealt alternately, so each half has about
// half of every kind.
std::vector<bool> KeysInHalf(const ReplayData& data, int half) {
  std::vector<bool> in(data.keys.size(), half < 0);
  if (half < 0) return in;
  for (size_t kind = 0; kind < data.kinds.size(); ++kind) {
    std::vector<std::pair<uint64_t, size_t>> order;
    for (size_t k = 0; k < data.keys.size(); ++k) {
      if (data.key_kind[k] == static_cast<int>(kind)) order.emplace_back(Fnv1a(data.keys[k]), k);
    }
    std::sort(order.begin(), order.end());
    for (size_t i = 0; i < order.size(); ++i) in[order[i].second] = static_cast<int>(i % 2) == half;
  }
  return in;
}

// Poisson draw by inversion (lambda up to a few thousand).
int64_t DrawPoisson(std::mt19937_64& rng, double lambda) {
  if (lambda <= 0) return 0;
  std::uniform_real_distribution<double> u01(0.0, 1.0);
  if (lambda > 500) {
    std::normal_distribution<double> n(lambda, std::sqrt(lambda));
    return std::max<int64_t>(0, std::llround(n(rng)));
  }
  const double u = u01(rng);
  // Start at the mode and walk both ways would be faster; lambda is small here.
  double p = std::exp(-lambda), cdf = p;
  int64_t k = 0;
  while (u > cdf && k < 100000) {
    ++k;
    p *= lambda / static_cast<double>(k);
    cdf += p;
  }
  return k;
}

std::string MuBand(double mu) {
  if (mu < 0.5) return "mu < 0.5";
  if (mu < 2) return "mu 0.5-2";
  if (mu < 10) return "mu 2-10";
  return "mu >= 10";
}

}  // namespace

absl::StatusOr<ReplayData> LoadCarComplaints(const std::string& path) {
  auto table = dataset::ReadCsvFile(path);
  if (!table.ok()) return table.status();
  const int c_model = table->Column("car_model"), c_problem = table->Column("problem"),
            c_time = table->Column("datetime");
  if (c_model < 0 || c_problem < 0 || c_time < 0) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": needs columns car_model, problem, datetime"));
  }
  ReplayData data;
  data.name = "car_complaints.csv (real dates, daily windows)";
  data.timing_note =
      "real dates; windows = the file's collection days in order (calendar days without any report are "
      "collection gaps and are left out)";
  KeyIndex index(data);
  const int k_model = index.Kind("model"), k_system = index.Kind("system"), k_both = index.Kind("model*system");
  std::set<std::string> dates;
  for (const auto& row : table->rows) {
    if (static_cast<int>(row.fields.size()) <= std::max({c_model, c_problem, c_time})) continue;
    if (row.fields[c_time].size() >= 10) dates.insert(row.fields[c_time].substr(0, 10));
  }
  data.window_labels.assign(dates.begin(), dates.end());
  std::map<std::string, int> window_of;
  for (size_t i = 0; i < data.window_labels.size(); ++i) window_of[data.window_labels[i]] = static_cast<int>(i);
  for (const auto& row : table->rows) {
    if (static_cast<int>(row.fields.size()) <= std::max({c_model, c_problem, c_time})) continue;
    if (row.fields[c_time].size() < 10) continue;
    ReplayData::Report r;
    r.window = window_of[row.fields[c_time].substr(0, 10)];
    const std::string model(absl::StripAsciiWhitespace(row.fields[c_model]));
    if (!model.empty()) r.keys.push_back(index.Key(k_model, model));
    std::set<char> letters;
    for (absl::string_view code : absl::StrSplit(row.fields[c_problem], ',', absl::SkipWhitespace())) {
      code = absl::StripAsciiWhitespace(code);
      if (!code.empty() && code[0] >= 'A' && code[0] <= 'Z') letters.insert(code[0]);
    }
    for (char l : letters) {
      r.keys.push_back(index.Key(k_system, std::string(1, l)));
      if (!model.empty()) r.keys.push_back(index.Key(k_both, absl::StrCat(model, "*", std::string(1, l))));
    }
    data.reports.push_back(std::move(r));
  }
  if (data.reports.empty()) return absl::InvalidArgumentError(absl::StrCat(path, ": no dated rows"));
  return data;
}

absl::StatusOr<ReplayData> LoadOnlineShoppingSynthetic(const std::string& path, uint64_t seed, int weeks) {
  if (weeks < 2) return absl::InvalidArgumentError("weeks must be >= 2");
  auto table = dataset::ReadCsvFile(path);
  if (!table.ok()) return table.status();
  const int c_cat = table->Column("cat"), c_label = table->Column("label");
  if (c_cat < 0 || c_label < 0) return absl::InvalidArgumentError(absl::StrCat(path, ": needs columns cat, label"));
  ReplayData data;
  data.name = "online_shopping_10_cats.csv (SYNTHETIC timing, daily windows)";
  data.synthetic_timing = true;
  data.timing_note = absl::StrFormat(
      "SYNTHETIC timestamps: each real review gets a day in %d weeks, drawn with seed %d and a weekly rhythm "
      "(Mon..Sun weights 2.4 1.3 1.0 0.9 0.8 0.5 0.4; hotel 0.6 0.6 0.6 0.6 1.2 2.4 2.0)",
      weeks, seed);
  KeyIndex index(data);
  const int k_cat = index.Kind("cat"), k_neg = index.Kind("cat*negative");
  const int days = weeks * 7;
  for (int d = 0; d < days; ++d) {
    static constexpr std::array<const char*, 7> kDay = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    data.window_labels.push_back(absl::StrFormat("day %d (%s)", d, kDay[d % 7]));
  }
  static constexpr std::array<double, 7> kRhythm = {2.4, 1.3, 1.0, 0.9, 0.8, 0.5, 0.4};
  static constexpr std::array<double, 7> kHotel = {0.6, 0.6, 0.6, 0.6, 1.2, 2.4, 2.0};
  std::vector<double> w_all(days), w_hotel(days);
  for (int d = 0; d < days; ++d) {
    w_all[d] = kRhythm[d % 7];
    w_hotel[d] = kHotel[d % 7];
  }
  std::discrete_distribution<int> pick_all(w_all.begin(), w_all.end()), pick_hotel(w_hotel.begin(), w_hotel.end());
  std::mt19937_64 rng(seed);
  for (const auto& row : table->rows) {
    if (static_cast<int>(row.fields.size()) <= std::max(c_cat, c_label)) continue;
    const std::string cat(absl::StripAsciiWhitespace(row.fields[c_cat]));
    if (cat.empty()) continue;
    ReplayData::Report r;
    r.window = cat == "酒店" ? pick_hotel(rng) : pick_all(rng);
    r.keys.push_back(index.Key(k_cat, cat));
    if (absl::StripAsciiWhitespace(row.fields[c_label]) == "0") r.keys.push_back(index.Key(k_neg, cat));
    data.reports.push_back(std::move(r));
  }
  if (data.reports.empty()) return absl::InvalidArgumentError(absl::StrCat(path, ": no rows"));
  return data;
}

absl::StatusOr<ReplayReport> RunReplay(const ReplayData& data, const ReplayOptions& options) {
  if (auto st = ValidatePolicy(options.policy); !st.ok()) return st;
  const Policy& policy = options.policy;
  const int windows = static_cast<int>(data.window_labels.size());
  const int warmup = options.warmup >= 0 ? options.warmup : policy.min_history;
  if (options.surge_windows < 1) return absl::InvalidArgumentError("surge_windows must be >= 1");
  if (warmup + options.surge_windows > windows) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%d windows: too few for warm-up %d + surge %d", windows, warmup, options.surge_windows));
  }
  const size_t nkeys = data.keys.size();
  std::vector<std::vector<int64_t>> counts(nkeys, std::vector<int64_t>(windows, 0));
  // The total a key is measured against: the reports of the window that
  // carry a key of its kind (a report without problem codes is no exposure
  // for the system keys).
  std::vector<std::vector<int64_t>> kind_totals(data.kinds.size(), std::vector<int64_t>(windows, 0));
  for (const auto& r : data.reports) {
    std::vector<bool> seen(data.kinds.size(), false);
    for (int k : r.keys) {
      ++counts[k][r.window];
      seen[data.key_kind[k]] = true;
    }
    for (size_t kind = 0; kind < seen.size(); ++kind) {
      if (seen[kind]) ++kind_totals[kind][r.window];
    }
  }
  const std::vector<bool> used = KeysInHalf(data, options.key_half);

  // Verdict for key series `c` at window t (history = windows before t).
  auto judge = [&](const std::vector<int64_t>& c, const std::vector<int64_t>& tot, int t) -> absl::StatusOr<Verdict> {
    std::span<const int64_t> h(c.data(), t), th(tot.data(), t);
    if (options.share) return EvaluateShare(c[t], tot[t], h, th, policy);
    return Evaluate(c[t], h, policy);
  };

  ReplayReport report;
  report.windows = windows;
  report.evaluated_windows = windows - warmup;

  // (a) Untouched replay.
  std::vector<FalseWarningRow> fw(data.kinds.size());
  for (size_t i = 0; i < data.kinds.size(); ++i) fw[i].kind = data.kinds[i];
  FalseWarningRow all{.kind = "all"};
  for (size_t k = 0; k < nkeys; ++k) {
    if (!used[k]) continue;
    FalseWarningRow& row = fw[data.key_kind[k]];
    ++row.keys;
    EpisodeState episode;
    for (int t = 0; t < windows; ++t) {
      auto v = judge(counts[k], kind_totals[data.key_kind[k]], t);
      if (!v.ok()) return v.status();
      const Decision d = Advance(episode, *v, policy);
      episode = d.state;
      if (t < warmup) continue;
      ++row.key_windows;
      if (v->surge) {
        ++row.warnings;
        report.examples.push_back({data.keys[k], data.window_labels[t], *v});
      }
      if (d.publish) ++row.alerts;
    }
  }
  for (auto& row : fw) {
    all.keys += row.keys;
    all.key_windows += row.key_windows;
    all.warnings += row.warnings;
    all.alerts += row.alerts;
    report.false_warnings.push_back(row);
  }
  report.false_warnings.push_back(all);
  std::sort(report.examples.begin(), report.examples.end(),
            [](const WarningExample& a, const WarningExample& b) { return a.verdict.p_value < b.verdict.p_value; });
  if (static_cast<int>(report.examples.size()) > options.examples) report.examples.resize(options.examples);

  // (b) Injected surges.
  std::mt19937_64 rng(options.seed);
  std::map<std::string, InjectionRow> by_group;
  std::vector<std::string> group_order;
  auto row_for = [&](const std::string& g) -> InjectionRow& {
    auto [it, inserted] = by_group.try_emplace(g);
    if (inserted) {
      it->second.group = g;
      group_order.push_back(g);
    }
    return it->second;
  };
  for (const auto& kind : data.kinds) row_for(kind);
  for (const char* band : {"mu < 0.5", "mu 0.5-2", "mu 2-10", "mu >= 10"}) row_for(band);
  InjectionRow total_row{.group = "all"};
  for (size_t kind = 0; kind < data.kinds.size(); ++kind) {
    std::vector<int> eligible;
    for (size_t k = 0; k < nkeys; ++k) {
      if (used[k] && data.key_kind[k] == static_cast<int>(kind)) eligible.push_back(static_cast<int>(k));
    }
    if (eligible.empty()) continue;
    std::uniform_int_distribution<size_t> pick_key(0, eligible.size() - 1);
    std::uniform_int_distribution<int> pick_start(warmup, windows - options.surge_windows);
    for (int n = 0; n < options.injections_per_kind; ++n) {
      const int k = eligible[pick_key(rng)];
      const int start = pick_start(rng);
      std::vector<int64_t> c = counts[k], tot = kind_totals[kind];
      const int base_from = std::max(0, start - policy.baseline_windows);
      double mu = 0;
      int with_data = 0;
      for (int t = base_from; t < start; ++t) {
        if (tot[t] == 0) continue;  // no report of this kind at all: no data, not a quiet window
        mu += static_cast<double>(c[t]);
        ++with_data;
      }
      mu /= std::max(1, with_data);
      const double volume = std::max(options.surge_factor * mu, options.min_surge);
      int caught_at = -1;
      MissedSurge trace{data.keys[k], data.window_labels[start], mu, {}};
      for (int i = 0; i < options.surge_windows; ++i) {
        const int t = start + i;
        const int64_t extra = DrawPoisson(rng, volume - mu);
        c[t] += extra;
        tot[t] += extra;
        if (caught_at >= 0) continue;
        auto v = judge(c, tot, t);
        if (!v.ok()) return v.status();
        trace.verdicts.push_back(*v);
        if (v->surge) caught_at = i;
      }
      if ((caught_at < 0 || caught_at > 1) && static_cast<int>(report.missed.size()) < options.examples) {
        report.missed.push_back(std::move(trace));
      }
      for (InjectionRow* row : {&row_for(data.kinds[kind]), &row_for(MuBand(mu)), &total_row}) {
        ++row->n;
        row->mean_mu += mu;
        if (caught_at == 0) ++row->within1;
        if (caught_at >= 0 && caught_at <= 1) ++row->within2;
        if (caught_at >= 0) ++row->within_all;
        else ++row->missed;
      }
    }
  }
  for (const auto& g : group_order) report.injections.push_back(by_group[g]);
  report.injections.push_back(total_row);
  for (auto& row : report.injections) row.mean_mu = row.n ? row.mean_mu / row.n : 0;
  return report;
}

std::string FormatReport(const ReplayData& data, const ReplayOptions& options, const ReplayReport& report) {
  const Policy& p = options.policy;
  std::string out;
  absl::StrAppendFormat(&out, "dataset: %s\ntiming: %s\n", data.name, data.timing_note);
  absl::StrAppendFormat(&out, "windows: %d (%s .. %s), warm-up %d, evaluated %d; keys: %s\n", report.windows,
                        data.window_labels.front(), data.window_labels.back(),
                        report.windows - report.evaluated_windows, report.evaluated_windows,
                        options.key_half < 0 ? "all" : (options.key_half == 0 ? "even half" : "odd half"));
  absl::StrAppendFormat(&out,
                        "policy: baseline=%s window=%s baseline_windows=%d min_history=%d min_count=%d "
                        "min_ratio=%g max_p_value=%g floor_rate=%g weekly=%s weekly_shrinkage=%g span_windows=%d "
                        "cooldown_windows=%d regrowth_ratio=%g\n\n",
                        options.share ? "share" : "absolute", absl::FormatDuration(p.window), p.baseline_windows,
                        p.min_history, p.min_count, p.min_ratio, p.max_p_value, p.floor_rate,
                        p.weekly ? "true" : "false", p.weekly_shrinkage, p.span_windows, p.cooldown_windows, p.regrowth_ratio);
  absl::StrAppend(&out, "(a) untouched replay: every warning is a false warning\n");
  absl::StrAppendFormat(&out, "%-14s %6s %12s %9s %10s %8s %10s\n", "kind", "keys", "key-windows", "warnings",
                        "per 1,000", "alerts", "per 1,000");
  for (const auto& r : report.false_warnings) {
    absl::StrAppendFormat(&out, "%-14s %6d %12d %9d %10.2f %8d %10.2f\n", r.kind, r.keys, r.key_windows,
                          r.warnings, r.per_1000(), r.alerts, r.alerts_per_1000());
  }
  if (!report.examples.empty()) {
    absl::StrAppend(&out, "  strongest warnings:\n");
    for (const auto& e : report.examples) {
      absl::StrAppendFormat(&out, "    %s  %s  observed %d expected %.2f", e.key, e.window, e.verdict.observed,
                            e.verdict.expected);
      if (e.verdict.span > 1) {
        absl::StrAppendFormat(&out, " (last %d windows %d vs %.2f)", e.verdict.span, e.verdict.span_observed,
                              e.verdict.span_expected);
      }
      absl::StrAppendFormat(&out, " ratio %.2f p %.2g\n", e.verdict.ratio, e.verdict.p_value);
    }
  }
  absl::StrAppendFormat(&out,
                        "\n(b) injected surges: seed %d, %d per kind, %d windows long, volume per window "
                        "max(%g x mu, %g), mu = mean of the baseline windows (with reports of the kind) before the start\n",
                        options.seed, options.injections_per_kind, options.surge_windows, options.surge_factor,
                        options.min_surge);
  absl::StrAppendFormat(&out, "%-14s %5s %8s %10s %10s %10s %8s %8s\n", "group", "n", "mean mu", "<=1 window",
                        "<=2 windows", absl::StrFormat("<=%d", options.surge_windows), "missed", "<=2 %");
  for (const auto& r : report.injections) {
    if (r.n == 0) continue;
    absl::StrAppendFormat(&out, "%-14s %5d %8.2f %10d %10d %10d %8d %7.1f%%\n", r.group, r.n, r.mean_mu, r.within1,
                          r.within2, r.within_all, r.missed, 100.0 * r.rate_within2());
  }
  if (!report.missed.empty()) {
    absl::StrAppend(&out, "  not caught within 2 windows (observed/expected per surge window):\n");
    for (const auto& m : report.missed) {
      absl::StrAppendFormat(&out, "    %s from %s, mu %.2f:", m.key, m.start, m.mu);
      for (const auto& v : m.verdicts) {
        absl::StrAppendFormat(&out, "  %d/%.1f", v.observed, v.expected);
        if (v.span > 1) absl::StrAppendFormat(&out, " (%d/%.1f)", v.span_observed, v.span_expected);
      }
      absl::StrAppend(&out, "\n");
    }
  }
  return out;
}

}  // namespace fbl::surge
