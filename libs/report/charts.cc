#include "libs/report/charts.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <numbers>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/report/format.h"

namespace fbl::report {
namespace {

constexpr const char* kPalette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
constexpr size_t kMaxPieSlices = 8;
constexpr double kRisingThreshold = 0.20;

std::string Placeholder() { return "<p class=\"empty\">本期无数据 <span class=\"en\">No data for this period</span></p>"; }

int64_t NonNegative(int64_t v) { return std::max<int64_t>(v, 0); }

// Point on a circle, angle clockwise from 12 o'clock.
std::pair<double, double> Polar(double cx, double cy, double r, double deg) {
  const double rad = deg * std::numbers::pi / 180.0;
  return {cx + r * std::sin(rad), cy - r * std::cos(rad)};
}

}  // namespace

const char* PaletteColor(size_t i) { return kPalette[i % std::size(kPalette)]; }

std::vector<PieSlice> PieAngles(const std::vector<int64_t>& counts) {
  long double total = 0;
  for (int64_t c : counts) total += NonNegative(c);
  std::vector<PieSlice> slices;
  if (total <= 0) return slices;
  long double cumulative = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] <= 0) continue;
    PieSlice s;
    s.index = i;
    s.start_deg = static_cast<double>(360.0L * cumulative / total);
    cumulative += counts[i];
    slices.push_back(s);
  }
  for (size_t k = 0; k < slices.size(); ++k) {
    const double end = k + 1 < slices.size() ? slices[k + 1].start_deg : 360.0;
    slices[k].sweep_deg = end - slices[k].start_deg;
  }
  return slices;
}

std::vector<Count> PieEntries(const std::vector<Count>& distribution) {
  std::vector<Count> sorted = distribution;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Count& a, const Count& b) { return NonNegative(a.count) > NonNegative(b.count); });
  if (sorted.size() <= kMaxPieSlices) return sorted;
  Count other{.code = "", .label = "其他 Others", .count = 0, .share = 0};
  for (size_t i = kMaxPieSlices - 1; i < sorted.size(); ++i) {
    other.count += NonNegative(sorted[i].count);
    other.share += std::isfinite(sorted[i].share) ? sorted[i].share : 0;
  }
  sorted.resize(kMaxPieSlices - 1);
  sorted.push_back(other);
  return sorted;
}

std::string PieChartHtml(const std::vector<Count>& distribution) {
  const std::vector<Count> entries = PieEntries(distribution);
  std::vector<int64_t> counts;
  int64_t total = 0;
  for (const Count& c : entries) {
    counts.push_back(c.count);
    total += NonNegative(c.count);
  }
  const std::vector<PieSlice> slices = PieAngles(counts);
  if (slices.empty()) return Placeholder();

  constexpr double kC = 110, kR = 100;
  std::string svg = absl::StrCat(
      "<svg class=\"pie-svg\" viewBox=\"0 0 220 220\" width=\"220\" height=\"220\" role=\"img\" "
      "aria-label=\"分布 Distribution\" xmlns=\"http://www.w3.org/2000/svg\">");
  std::string labels;
  for (const PieSlice& s : slices) {
    const char* color = PaletteColor(s.index);
    const std::string tip = EscapeHtml(absl::StrCat(entries[s.index].label, " ", entries[s.index].count));
    if (s.sweep_deg >= 360.0 - 1e-9) {
      absl::StrAppend(&svg, "<circle class=\"slice\" cx=\"", Num(kC), "\" cy=\"", Num(kC), "\" r=\"", Num(kR),
                      "\" fill=\"", color, "\"><title>", tip, "</title></circle>");
    } else {
      auto [x1, y1] = Polar(kC, kC, kR, s.start_deg);
      auto [x2, y2] = Polar(kC, kC, kR, s.start_deg + s.sweep_deg);
      absl::StrAppend(&svg, "<path class=\"slice\" d=\"M", Num(kC), " ", Num(kC), " L", Num(x1), " ", Num(y1),
                      " A", Num(kR), " ", Num(kR), " 0 ", s.sweep_deg > 180 ? 1 : 0, " 1 ", Num(x2), " ",
                      Num(y2), " Z\" fill=\"", color, "\" stroke=\"#fff\" stroke-width=\"1\"><title>", tip,
                      "</title></path>");
    }
    if (s.sweep_deg >= 18.0) {  // 5 %
      auto [lx, ly] = Polar(kC, kC, kR * 0.64, s.start_deg + s.sweep_deg / 2);
      absl::StrAppend(&labels, "<text x=\"", Num(lx), "\" y=\"", Num(ly + 4),
                      "\" text-anchor=\"middle\" class=\"slice-label\">", FormatPercent(s.sweep_deg / 360.0, 0),
                      "</text>");
    }
  }
  absl::StrAppend(&svg, labels, "</svg>");

  std::string legend = "<table class=\"legend\"><tbody>";
  for (size_t i = 0; i < entries.size(); ++i) {
    const Count& c = entries[i];
    const double share = total > 0 ? static_cast<double>(NonNegative(c.count)) / static_cast<double>(total) : 0;
    absl::StrAppend(&legend, "<tr><td><span class=\"swatch\" style=\"background:", PaletteColor(i),
                    "\"></span></td><td class=\"code\">", EscapeHtml(c.code), "</td><td>", EscapeHtml(c.label),
                    "</td><td class=\"num\">", FormatCount(c.count), "</td><td class=\"num\">", FormatPercent(share),
                    "</td></tr>");
  }
  absl::StrAppend(&legend, "</tbody></table>");
  return absl::StrCat("<div class=\"pie\">", svg, legend, "</div>");
}

std::string TopBarsHtml(const std::vector<Ranked>& top) {
  if (top.empty()) return Placeholder();
  std::vector<Ranked> rows = top;
  std::stable_sort(rows.begin(), rows.end(), [](const Ranked& a, const Ranked& b) {
    const int ra = a.rank > 0 ? a.rank : INT32_MAX, rb = b.rank > 0 ? b.rank : INT32_MAX;
    return ra < rb;
  });
  int64_t max_count = 0;
  for (const Ranked& r : rows) max_count = std::max(max_count, NonNegative(r.count));

  constexpr double kWidth = 720, kLabelRight = 250, kBarLeft = 258, kBarMax = 300, kRowH = 38, kBarH = 22;
  const double height = kRowH * static_cast<double>(rows.size()) + 8;
  std::string svg = absl::StrCat("<svg class=\"bars\" viewBox=\"0 0 ", Num(kWidth), " ", Num(height),
                                 "\" role=\"img\" aria-label=\"Top 5\" xmlns=\"http://www.w3.org/2000/svg\">");
  for (size_t i = 0; i < rows.size(); ++i) {
    const Ranked& r = rows[i];
    const double y = 4 + kRowH * static_cast<double>(i);
    const double w =
        max_count > 0 ? kBarMax * static_cast<double>(NonNegative(r.count)) / static_cast<double>(max_count) : 0;
    const bool rising = r.change_rate.has_value() && std::isfinite(*r.change_rate) && *r.change_rate > kRisingThreshold;
    const std::string label = TruncateUtf8(absl::StrCat(r.code.empty() ? "" : r.code + " ", r.label), 16);
    absl::StrAppend(&svg, "<text x=\"", Num(kLabelRight), "\" y=\"", Num(y + kBarH / 2 + 5),
                    "\" text-anchor=\"end\" class=\"bar-label\"><tspan class=\"rank\">",
                    r.rank > 0 ? r.rank : static_cast<int>(i + 1), ".</tspan> ", EscapeHtml(label), "</text>");
    absl::StrAppend(&svg, "<rect x=\"", Num(kBarLeft), "\" y=\"", Num(y), "\" width=\"", Num(std::max(w, 1.0)),
                    "\" height=\"", Num(kBarH), "\" rx=\"3\" fill=\"", rising ? "#e15759" : "#4e79a7", "\"/>");
    std::string change;
    if (r.change_rate.has_value()) {
      change = FormatChange(r.change_rate);
    } else {
      change = r.previous_count <= 0 && r.count > 0 ? "新增 new" : "—";
    }
    absl::StrAppend(&svg, "<text x=\"", Num(kBarLeft + std::max(w, 1.0) + 8), "\" y=\"", Num(y + kBarH / 2 + 5),
                    "\" class=\"bar-value\"><tspan font-weight=\"700\">", FormatCount(r.count),
                    "</tspan><tspan dx=\"8\" class=\"", rising ? "up" : "muted", "\">", EscapeHtml(change),
                    "</tspan><tspan dx=\"8\" class=\"muted\">上期 ", FormatCount(r.previous_count), "</tspan></text>");
  }
  absl::StrAppend(&svg, "</svg>");
  return svg;
}

Axis NiceAxis(double max_value, int ticks) {
  if (!std::isfinite(max_value) || max_value <= 0) return Axis{.top = 1, .step = 1};
  if (ticks < 1) ticks = 1;
  const double raw = max_value / ticks;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = 10 * magnitude;
  for (double f : {1.0, 2.0, 2.5, 5.0}) {
    if (f == 2.5 && magnitude < 10) continue;  // keep integer labels
    if (f * magnitude >= raw) {
      step = f * magnitude;
      break;
    }
  }
  step = std::max(step, 1.0);
  return Axis{.top = std::ceil(max_value / step) * step, .step = step};
}

std::string TrendChartHtml(const std::vector<Series>& series, absl::TimeZone zone) {
  std::set<absl::Time> times;
  int64_t max_count = 0;
  for (const Series& s : series) {
    for (const Point& p : s.points) {
      if (p.start == absl::InfinitePast() || p.start == absl::InfiniteFuture()) continue;
      times.insert(p.start);
      max_count = std::max(max_count, NonNegative(p.count));
    }
  }
  if (times.empty()) return Placeholder();

  constexpr double kW = 720, kH = 300, kLeft = 56, kRight = 20, kTop = 16, kBottom = 44;
  const double plot_w = kW - kLeft - kRight, plot_h = kH - kTop - kBottom;
  const absl::Time t0 = *times.begin(), t1 = *times.rbegin();
  const double span = absl::ToDoubleSeconds(t1 - t0);
  auto x_of = [&](absl::Time t) {
    return span > 0 ? kLeft + plot_w * absl::ToDoubleSeconds(t - t0) / span : kLeft + plot_w / 2;
  };
  const Axis axis = NiceAxis(static_cast<double>(max_count));
  auto y_of = [&](int64_t c) { return kTop + plot_h * (1.0 - static_cast<double>(NonNegative(c)) / axis.top); };

  absl::Duration min_gap = absl::InfiniteDuration();
  for (auto it = times.begin(), next = std::next(it); next != times.end(); ++it, ++next) {
    min_gap = std::min(min_gap, *next - *it);
  }
  const char* x_format = min_gap >= absl::Hours(24 * 27) ? "%Y-%m" : min_gap >= absl::Hours(24) ? "%m-%d" : "%m-%d %H:%M";

  std::string svg = absl::StrCat("<svg class=\"trend\" viewBox=\"0 0 ", Num(kW), " ", Num(kH),
                                 "\" role=\"img\" aria-label=\"趋势 Trend\" xmlns=\"http://www.w3.org/2000/svg\">");
  // Grid and y labels.
  for (double v = 0; v <= axis.top + 1e-9; v += axis.step) {
    const double y = y_of(static_cast<int64_t>(std::llround(v)));
    absl::StrAppend(&svg, "<line x1=\"", Num(kLeft), "\" y1=\"", Num(y), "\" x2=\"", Num(kW - kRight), "\" y2=\"",
                    Num(y), "\" class=\"grid\"/><text x=\"", Num(kLeft - 8), "\" y=\"", Num(y + 4),
                    "\" text-anchor=\"end\" class=\"axis\">", FormatCount(std::llround(v)), "</text>");
  }
  // X labels: at most 8, evenly spaced over the distinct bucket starts.
  const std::vector<absl::Time> ordered(times.begin(), times.end());
  const size_t stride = (ordered.size() + 7) / 8;
  for (size_t i = 0; i < ordered.size(); i += stride) {
    const double x = x_of(ordered[i]);
    absl::StrAppend(&svg, "<line x1=\"", Num(x), "\" y1=\"", Num(kTop + plot_h), "\" x2=\"", Num(x), "\" y2=\"",
                    Num(kTop + plot_h + 5), "\" class=\"tick\"/><text x=\"", Num(x), "\" y=\"",
                    Num(kTop + plot_h + 20), "\" text-anchor=\"middle\" class=\"axis\">",
                    EscapeHtml(absl::FormatTime(x_format, ordered[i], zone)), "</text>");
  }
  absl::StrAppend(&svg, "<line x1=\"", Num(kLeft), "\" y1=\"", Num(kTop + plot_h), "\" x2=\"", Num(kW - kRight),
                  "\" y2=\"", Num(kTop + plot_h), "\" class=\"axis-line\"/>");

  std::string legend = "<div class=\"series-legend\">";
  for (size_t si = 0; si < series.size(); ++si) {
    std::vector<Point> points;
    int64_t total = 0;
    for (const Point& p : series[si].points) {
      if (p.start == absl::InfinitePast() || p.start == absl::InfiniteFuture()) continue;
      points.push_back(p);
      total += NonNegative(p.count);
    }
    std::stable_sort(points.begin(), points.end(), [](const Point& a, const Point& b) { return a.start < b.start; });
    const char* color = PaletteColor(si);
    absl::StrAppend(&legend, "<span class=\"item\"><span class=\"swatch\" style=\"background:", color, "\"></span>",
                    EscapeHtml(series[si].label), " <span class=\"muted\">(", FormatCount(total), ")</span></span>");
    if (points.empty()) continue;
    std::string coords;
    for (const Point& p : points) absl::StrAppend(&coords, coords.empty() ? "" : " ", Num(x_of(p.start)), ",", Num(y_of(p.count)));
    absl::StrAppend(&svg, "<g class=\"series\"><title>", EscapeHtml(series[si].label), "</title>");
    if (points.size() > 1) {
      absl::StrAppend(&svg, "<polyline points=\"", coords, "\" fill=\"none\" stroke=\"", color,
                      "\" stroke-width=\"2.2\" stroke-linejoin=\"round\"/>");
    }
    if (points.size() <= 62) {
      for (const Point& p : points) {
        absl::StrAppend(&svg, "<circle cx=\"", Num(x_of(p.start)), "\" cy=\"", Num(y_of(p.count)), "\" r=\"2.8\" fill=\"",
                        color, "\"/>");
      }
    }
    absl::StrAppend(&svg, "</g>");
  }
  absl::StrAppend(&svg, "</svg>");
  absl::StrAppend(&legend, "</div>");
  return absl::StrCat(svg, legend);
}

std::string KeywordCloudHtml(const std::vector<Term>& terms) {
  std::vector<Term> sorted;
  for (const Term& t : terms) {
    if (!t.term.empty()) sorted.push_back(t);
  }
  if (sorted.empty()) return Placeholder();
  bool use_weight = false;
  for (const Term& t : sorted) use_weight = use_weight || (std::isfinite(t.weight) && t.weight > 0);
  auto size_of = [&](const Term& t) {
    return use_weight ? (std::isfinite(t.weight) ? std::max(t.weight, 0.0) : 0.0)
                      : static_cast<double>(NonNegative(t.count));
  };
  std::stable_sort(sorted.begin(), sorted.end(), [&](const Term& a, const Term& b) {
    if (size_of(a) != size_of(b)) return size_of(a) > size_of(b);
    return a.term < b.term;
  });
  constexpr size_t kMaxTerms = 60;
  if (sorted.size() > kMaxTerms) sorted.resize(kMaxTerms);
  const double max_size = size_of(sorted.front());

  // Centre-out: the heaviest word in the middle, the next ones alternating
  // right and left of it.
  std::deque<std::string> spans;
  for (size_t i = 0; i < sorted.size(); ++i) {
    const Term& t = sorted[i];
    const double rel = max_size > 0 ? size_of(t) / max_size : 0;
    std::string span = absl::StrFormat(
        "<span class=\"term\" style=\"font-size:%spx;color:%s;font-weight:%d\" title=\"%s 次\">%s</span>",
        Num(13 + 29 * rel), PaletteColor(i), rel >= 0.5 ? 700 : 500, FormatCount(t.count), EscapeHtml(t.term));
    if (i % 2 == 0) {
      spans.push_back(std::move(span));
    } else {
      spans.push_front(std::move(span));
    }
  }
  std::string out = "<div class=\"cloud\">";
  for (const std::string& s : spans) absl::StrAppend(&out, s, " ");
  absl::StrAppend(&out, "</div>");
  return out;
}

std::string ProgressBarHtml(int percent) {
  const int p = std::clamp(percent, 0, 100);
  return absl::StrCat("<div class=\"progress\" title=\"", p, "%\"><div class=\"progress-bar", p == 100 ? " done" : "",
                      "\" style=\"width:", p, "%\"></div></div><span class=\"progress-text\">", p, "%</span>");
}

}  // namespace fbl::report
