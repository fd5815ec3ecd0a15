#pragma once

// AN-8 weekly and monthly reports: the data a report shows, and its rendering
// as one self-contained HTML file (inline CSS and SVG, no scripts, no external
// resources) and as JSON. Pure code: the analytics service fills ReportData
// from its aggregates; nothing here does I/O.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace fbl::report {

enum class Kind { kWeekly, kMonthly };

// One slice of a distribution (AN-1): a problem type, tag or channel.
// `share` is carried into the JSON as given; the pie and its legend use
// count / sum(counts), so they always add up to the whole.
struct Count {
  std::string code;
  std::string label;
  int64_t count = 0;
  double share = 0;  // 0..1
};

// One of the most frequent problems (AN-2). change_rate = (count - previous)
// / previous; unset when there was nothing in the previous period.
struct Ranked {
  int rank = 0;
  std::string code;
  std::string label;
  int64_t count = 0;
  int64_t previous_count = 0;
  std::optional<double> change_rate;
};

// Volume in the bucket starting at `start` (AN-3).
struct Point {
  absl::Time start;
  int64_t count = 0;
};

struct Series {
  std::string label;
  std::vector<Point> points;  // any order; drawn sorted by start
};

// A frequent word for the word cloud (AN-4); `weight` sets its size
// (relative to the largest weight; counts are used when all weights are 0).
struct Term {
  std::string term;
  int64_t count = 0;
  double weight = 0;
};

// An improvement plan for a core problem (WO-7).
struct Plan {
  std::string problem_code;
  std::string goal;
  std::string root_cause;  // 5-Why conclusion
  std::string owner;
  std::string status;  // free text, e.g. 进行中 / 已完成
  std::string acceptance;
  std::string blockers;  // empty = none
  std::vector<std::string> measures;
  absl::Time start = absl::InfinitePast();  // InfinitePast / InfiniteFuture = not set
  absl::Time end = absl::InfinitePast();
  int progress_percent = 0;  // clamped to 0..100 when drawn
};

struct CoreProblem {
  std::string code;
  std::string label;
  int64_t count = 0;
  std::optional<double> change_rate;
  std::vector<Plan> plans;
  std::vector<std::string> sample_texts;  // customers' words, already PII-masked
};

// Headline figures of the period. Optional figures are unset when there was
// nothing to measure (no surveys, no tickets with a deadline, no previous
// period), which is not the same as 0.
struct Overview {
  int64_t feedback = 0;
  int64_t complaints = 0;
  int64_t distinct_customers = 0;
  int64_t red_alerts = 0;
  int64_t tickets_created = 0;
  int64_t tickets_resolved = 0;
  std::optional<double> csat;            // mean score, 1..5
  std::optional<double> nps;             // -100..100
  std::optional<double> sla_compliance;  // 0..1, share of tickets within their deadline
  std::optional<double> feedback_change_rate;  // vs the previous period
};

struct ReportData {
  Kind kind = Kind::kWeekly;
  absl::Time period_start;  // inclusive
  absl::Time period_end;    // exclusive
  absl::Time generated_at;
  absl::TimeZone zone;  // dates are shown and written in this zone
  std::string title;    // empty = 客户反馈周报 / 客户反馈月报
  Overview overview;
  std::vector<Count> distribution;  // L1 category or problem type (pie)
  std::vector<Ranked> top5;
  std::vector<Series> trends;
  std::vector<Term> keywords;
  std::vector<CoreProblem> core_problems;
  std::vector<std::string> suggestions;  // shown as given; see Suggestions()
};

// One self-contained HTML document (UTF-8, lang zh-CN, printable on A4).
// All text from `data` is escaped; invalid UTF-8 becomes U+FFFD.
std::string RenderHtml(const ReportData& data);

// The same content as JSON (times RFC 3339 in the report's zone, missing
// optional figures as null).
std::string RenderJson(const ReportData& data);

// Parses RenderJson's output back. INVALID_ARGUMENT on malformed JSON, a
// missing or mistyped field, an unparsable time or an unknown time zone.
[[nodiscard]] absl::StatusOr<ReportData> ParseJson(std::string_view json);

// Rule-based suggestions from the figures, most urgent first, each
// "中文 / English". Rules: a top or core problem rising more than 20 % with no
// improvement plan; plans past their end date or with blockers; SLA
// compliance below 90 %; CSAT below 4; negative NPS; red alerts; feedback
// volume up more than 50 %; fewer than 80 % of new tickets resolved. Returns
// one "no action" line when no rule fires.
std::vector<std::string> Suggestions(const ReportData& data);

// Default title for a kind: 客户反馈周报 / 客户反馈月报.
std::string DefaultTitle(Kind kind);

}  // namespace fbl::report
