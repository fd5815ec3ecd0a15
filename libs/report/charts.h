#pragma once

// The report's charts, drawn as inline SVG (or plain HTML for the word
// cloud) with no scripts. Every function escapes the text it is given and
// returns a placeholder (本期无数据) when there is nothing to draw.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "libs/report/report.h"

namespace fbl::report {

// Colour i of the series palette (cycles after 10).
const char* PaletteColor(size_t i);

// A pie slice: clockwise from 12 o'clock, in degrees.
struct PieSlice {
  size_t index = 0;  // into the counts given to PieAngles
  double start_deg = 0;
  double sweep_deg = 0;
};

// Slices for the positive counts (negative counts count as 0), proportional
// to count / total; the sweeps add up to exactly 360. Empty when the total is 0.
std::vector<PieSlice> PieAngles(const std::vector<int64_t>& counts);

// The slices the pie draws: sorted by count (descending, stable); beyond 8
// entries the 8th and later are merged into one 其他 / Others slice.
std::vector<Count> PieEntries(const std::vector<Count>& distribution);

// Pie (SVG arcs, percentage labels on slices of 5 % or more) with its legend.
std::string PieChartHtml(const std::vector<Count>& distribution);

// Horizontal bars for the top problems: rank, label, count, previous count
// and change rate; bars rising more than 20 % are drawn in red.
std::string TopBarsHtml(const std::vector<Ranked>& top);

// Y axis for counts: a step from 1, 2, 2.5 (10 and up), 5 x 10^n (at least 1), and the
// smallest multiple of it >= max_value, for about `ticks` intervals.
struct Axis {
  double top = 1;
  double step = 1;
};
Axis NiceAxis(double max_value, int ticks = 4);

// Multi-series line chart over time, x labels as dates in `zone` (month,
// day or hour resolution from the spacing of the points), with a legend.
std::string TrendChartHtml(const std::vector<Series>& series, absl::TimeZone zone);

// Word cloud: spans sized by weight, largest in the middle, deterministic.
std::string KeywordCloudHtml(const std::vector<Term>& terms);

// Progress bar (HTML) for a percentage, clamped to 0..100.
std::string ProgressBarHtml(int percent);

}  // namespace fbl::report
