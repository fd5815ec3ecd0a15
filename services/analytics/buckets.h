#pragma once
// Time buckets of the analytics aggregates, pure logic. Counters are kept per
// local hour and per local day in the reporting time zone; weeks (ISO,
// Monday first) and months are sums of days. A query period is covered by
// whole days where it can be and by hours at its edges.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace fbl::analytics {

enum class Granularity { kHour, kDay, kWeek, kMonth };

class Buckets {
 public:
  explicit Buckets(absl::TimeZone zone) : zone_(zone) {}

  // Storage labels: "2026112213" (hour), "20261122" (day), local time.
  std::string HourLabel(absl::Time t) const;
  std::string DayLabel(absl::Time t) const;

  // The start of the bucket holding `t`, and of the next one.
  absl::Time Start(absl::Time t, Granularity g) const;
  absl::Time Next(absl::Time bucket_start, Granularity g) const;

  // The aligned buckets that overlap [start, end), in order. INVALID_ARGUMENT
  // for an empty or inverted period or more than `max` buckets.
  [[nodiscard]] absl::StatusOr<std::vector<absl::Time>> Enumerate(absl::Time start, absl::Time end, Granularity g,
                                                                  size_t max = 10000) const;

  // How [start, end) is stored: whole local days, and the hours of the
  // partial days at the edges.
  struct Cover {
    std::vector<std::string> days;   // day labels
    std::vector<std::string> hours;  // hour labels
    // Every day touched, for per-day sets (distinct customers, facts).
    std::vector<std::string> touched_days;
  };
  [[nodiscard]] absl::StatusOr<Cover> CoverPeriod(absl::Time start, absl::Time end) const;

  absl::TimeZone zone() const { return zone_; }

 private:
  absl::TimeZone zone_;
};

}  // namespace fbl::analytics
