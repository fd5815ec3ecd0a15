#pragma once
// The business calendar for ticket deadlines (WO-3), pure domain logic: no
// Kafka, Redis or gRPC.
//
// Response and resolution targets are working time. A calendar knows the
// working hours of a day (several periods, e.g. a lunch break), the working
// weekdays, public holidays and make-up working days (调休), all as civil
// time in one IANA time zone:
//
//   auto cal = BusinessCalendar::Create(spec);            // StatusOr
//   absl::Time due = cal->Add(opened, absl::Hours(24));   // 24 working hours
//
// Rules
// - A day is working if it is listed in extra_working_days, or its weekday is
//   in working_days and it is not a holiday. A date may not be both a holiday
//   and a make-up day.
// - A period "HH:MM-HH:MM" is the half-open interval [start, end) of absolute
//   time; "24:00" is allowed as an end (midnight of the next day).
// - Business time is real elapsed time inside periods, so a period that spans
//   a DST transition is an hour shorter or longer that day.
// - DST: a period bound that falls in a skipped civil time (spring forward)
//   maps to the transition instant (so 02:00-03:00 on that day is empty and
//   02:30-05:00 starts at 03:00 new time); a bound in a repeated civil time
//   (fall back) maps to the first occurrence for a start and the second
//   occurrence for an end, so a period covers everything the wall clock shows
//   inside it. Periods that would overlap after mapping are clipped.
// - Horizon: the calendar looks at most 10 years (kHorizon) ahead. Add() and
//   NextWorkingStart() return absl::InfiniteFuture() past it; Between()
//   returns absl::InfiniteDuration() for spans longer than it.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "libs/runtime/config.h"

namespace fbl::calendar {

// How far ahead the calendar looks (civil days of the calendar's zone).
inline constexpr int kHorizonDays = 3653;  // 10 years

// The business calendar as configured (YAML-bound).
struct CalendarSpec {
  std::string time_zone = "Asia/Shanghai";  // IANA name
  std::vector<std::string> working_days = {"mon", "tue", "wed", "thu", "fri"};
  // Several per day, "HH:MM-HH:MM", start < end, ascending, non-overlapping.
  std::vector<std::string> periods = {"09:00-12:00", "13:30-18:00"};
  std::vector<std::string> holidays;            // "2026-10-01": whole days off
  std::vector<std::string> extra_working_days;  // 调休: worked although a weekend, "2026-09-20"
};

// Binds and validates: the zone loads, day names ("mon".."sun"), periods,
// dates "YYYY-MM-DD"; errors name the key (e.g. "periods[1]").
void BindConfig(config::Binder& b, CalendarSpec& c);

class BusinessCalendar {
 public:
  // Fails (InvalidArgument naming the key) on an invalid spec or a calendar
  // without any working time.
  [[nodiscard]] static absl::StatusOr<BusinessCalendar> Create(const CalendarSpec& spec);

  // The instant `working` of business time after `start`. A start outside the
  // working periods counts from the next period start. A result that lands on
  // a period end is that end (due 18:00, not 09:00 the next day). Zero or
  // negative `working` returns `start`; past the horizon: InfiniteFuture.
  absl::Time Add(absl::Time start, absl::Duration working) const;

  // Business time in [a, b); zero if b <= a.
  absl::Duration Between(absl::Time a, absl::Time b) const;

  // Whether `t` lies inside a working period (start inclusive, end exclusive).
  bool IsWorking(absl::Time t) const;

  // `t` itself if working, else the start of the next period.
  absl::Time NextWorkingStart(absl::Time t) const;

  const absl::TimeZone& time_zone() const { return tz_; }
  // Whether the civil day is a working day (before looking at periods).
  bool IsWorkingDay(absl::CivilDay d) const;

 private:
  struct Period {
    int start_minute;  // minutes after local midnight
    int end_minute;    // up to 24 * 60
  };

  BusinessCalendar() = default;

  // Calls fn(begin, end) for the working intervals from the civil day of
  // `from` (one day earlier, for safety) on, ascending and non-overlapping,
  // until fn returns false (→ true) or the horizon is reached (→ false).
  template <typename F>
  bool ForEachInterval(absl::Time from, F&& fn) const;

  absl::TimeZone tz_;
  bool weekdays_[7] = {};            // indexed by absl::Weekday (monday = 0)
  std::vector<Period> periods_;
  std::vector<absl::CivilDay> holidays_;  // sorted
  std::vector<absl::CivilDay> extra_;     // sorted
};

// A deadline clock that pauses while waiting on the customer and resumes.
// Business time spent paused is added back to the target.
struct DeadlineClock {
  absl::Time started;
  absl::Duration target;
  absl::Duration paused_business = absl::ZeroDuration();  // closed pauses so far
  std::optional<absl::Time> paused_since;                 // set while paused
};

// started + target + paused business time, on the calendar; while paused:
// InfiniteFuture.
absl::Time DueAt(const BusinessCalendar& cal, const DeadlineClock& c);

// Starts a pause at `at`; no change if already paused.
DeadlineClock Pause(const BusinessCalendar& cal, DeadlineClock c, absl::Time at);

// Ends the pause at `at`, adding its business time to paused_business; no
// change if not paused.
DeadlineClock Resume(const BusinessCalendar& cal, DeadlineClock c, absl::Time at);

// When `fraction` of the target has been used (e.g. 0.8), counting pauses so
// far as before it; the offset is rounded to the millisecond, a negative
// fraction counts as 0. While paused: InfiniteFuture.
absl::Time WarnAt(const BusinessCalendar& cal, const DeadlineClock& c, double fraction);

}  // namespace fbl::calendar
