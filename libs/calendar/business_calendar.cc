#include "libs/calendar/business_calendar.h"

#include <algorithm>
#include <cmath>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace fbl::calendar {
namespace {

constexpr std::string_view kDayNames[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
constexpr int kMinutesPerDay = 24 * 60;

struct Problem {
  std::string key;
  std::string text;
};

// "HH:MM" → minutes after midnight; 24:00 only when `allow_24`.
std::optional<int> ParseClock(std::string_view s, bool allow_24) {
  if (s.size() != 5 || s[2] != ':') return std::nullopt;
  for (int i : {0, 1, 3, 4}) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
  }
  const int h = (s[0] - '0') * 10 + (s[1] - '0');
  const int m = (s[3] - '0') * 10 + (s[4] - '0');
  if (m > 59) return std::nullopt;
  if (h == 24 && m == 0 && allow_24) return kMinutesPerDay;
  if (h > 23) return std::nullopt;
  return h * 60 + m;
}

std::optional<absl::CivilDay> ParseDate(const std::string& s) {
  absl::CivilDay d;
  if (s.size() != 10 || !absl::ParseCivilTime(s, &d)) return std::nullopt;
  if (absl::FormatCivilTime(d) != s) return std::nullopt;  // no normalising 2026-02-30
  return d;
}

struct Parsed {
  absl::TimeZone tz;
  bool weekdays[7] = {};
  std::vector<std::pair<int, int>> periods;
  std::vector<absl::CivilDay> holidays;
  std::vector<absl::CivilDay> extra;
};

std::vector<absl::CivilDay> ParseDates(const std::vector<std::string>& list, const char* key,
                                       std::vector<Problem>& problems) {
  std::vector<absl::CivilDay> out;
  for (size_t i = 0; i < list.size(); ++i) {
    if (auto d = ParseDate(list[i])) {
      out.push_back(*d);
    } else {
      problems.push_back({absl::StrCat(key, "[", i, "]"),
                          absl::StrCat("must be a date like 2026-10-01, got '", list[i], "'")});
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// Validates the whole spec; `problems` names each bad key.
Parsed Parse(const CalendarSpec& c, std::vector<Problem>& problems) {
  Parsed p;
  if (!absl::LoadTimeZone(c.time_zone, &p.tz)) {
    problems.push_back({"time_zone", absl::StrCat("is not a known IANA time zone: '", c.time_zone, "'")});
  }

  if (c.working_days.empty()) problems.push_back({"working_days", "must name at least one day"});
  for (size_t i = 0; i < c.working_days.size(); ++i) {
    const std::string name = absl::AsciiStrToLower(c.working_days[i]);
    auto it = std::find(std::begin(kDayNames), std::end(kDayNames), name);
    if (it == std::end(kDayNames)) {
      problems.push_back({absl::StrCat("working_days[", i, "]"),
                          absl::StrCat("must be one of mon, tue, wed, thu, fri, sat, sun; got '",
                                       c.working_days[i], "'")});
      continue;
    }
    p.weekdays[it - std::begin(kDayNames)] = true;
  }

  if (c.periods.empty()) problems.push_back({"periods", "must hold at least one period like 09:00-12:00"});
  int previous_end = -1;
  for (size_t i = 0; i < c.periods.size(); ++i) {
    const std::string key = absl::StrCat("periods[", i, "]");
    const std::string& s = c.periods[i];
    std::optional<int> start, end;
    if (s.size() == 11 && s[5] == '-') {
      start = ParseClock(s.substr(0, 5), false);
      end = ParseClock(s.substr(6, 5), true);
    }
    if (!start || !end) {
      problems.push_back({key, absl::StrCat("must be HH:MM-HH:MM within 00:00-24:00, got '", s, "'")});
      continue;
    }
    if (*start >= *end) {
      problems.push_back({key, absl::StrCat("must start before it ends, got '", s, "'")});
      continue;
    }
    if (*start < previous_end) {
      problems.push_back({key, absl::StrCat("overlaps or precedes the period before it, got '", s,
                                            "' (periods must be ascending and non-overlapping)")});
      continue;
    }
    previous_end = *end;
    p.periods.emplace_back(*start, *end);
  }

  p.holidays = ParseDates(c.holidays, "holidays", problems);
  p.extra = ParseDates(c.extra_working_days, "extra_working_days", problems);
  for (size_t i = 0; i < c.extra_working_days.size(); ++i) {
    auto d = ParseDate(c.extra_working_days[i]);
    if (d && std::binary_search(p.holidays.begin(), p.holidays.end(), *d)) {
      problems.push_back({absl::StrCat("extra_working_days[", i, "]"),
                          absl::StrCat("is also listed in holidays: '", c.extra_working_days[i], "'")});
    }
  }
  return p;
}

// Where a period bound lands in absolute time (see the DST rule in the header).
absl::Time StartInstant(const absl::TimeZone& tz, absl::CivilMinute m) {
  const absl::TimeZone::TimeInfo ti = tz.At(m);
  switch (ti.kind) {
    case absl::TimeZone::TimeInfo::SKIPPED:
      return ti.trans;
    case absl::TimeZone::TimeInfo::REPEATED:
    case absl::TimeZone::TimeInfo::UNIQUE:
      break;
  }
  return ti.pre;
}

absl::Time EndInstant(const absl::TimeZone& tz, absl::CivilMinute m) {
  const absl::TimeZone::TimeInfo ti = tz.At(m);
  switch (ti.kind) {
    case absl::TimeZone::TimeInfo::SKIPPED:
      return ti.trans;
    case absl::TimeZone::TimeInfo::REPEATED:
      return ti.post;
    case absl::TimeZone::TimeInfo::UNIQUE:
      break;
  }
  return ti.pre;
}

}  // namespace

void BindConfig(config::Binder& b, CalendarSpec& c) {
  b.Field("time_zone", c.time_zone);
  b.Field("working_days", c.working_days);
  b.Field("periods", c.periods);
  b.Field("holidays", c.holidays);
  b.Field("extra_working_days", c.extra_working_days);
  std::vector<Problem> problems;
  Parse(c, problems);
  for (const Problem& p : problems) b.Fail(p.key, p.text);
}

absl::StatusOr<BusinessCalendar> BusinessCalendar::Create(const CalendarSpec& spec) {
  std::vector<Problem> problems;
  Parsed p = Parse(spec, problems);
  if (!problems.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "business calendar: ", absl::StrJoin(problems, "; ", [](std::string* out, const Problem& pr) {
          absl::StrAppend(out, "key '", pr.key, "' ", pr.text);
        })));
  }
  // Validation above guarantees working time every week (a working weekday
  // with a non-empty period); holidays are finite.
  BusinessCalendar cal;
  cal.tz_ = p.tz;
  std::copy(std::begin(p.weekdays), std::end(p.weekdays), std::begin(cal.weekdays_));
  for (const auto& [s, e] : p.periods) cal.periods_.push_back({s, e});
  cal.holidays_ = std::move(p.holidays);
  cal.extra_ = std::move(p.extra);
  return cal;
}

bool BusinessCalendar::IsWorkingDay(absl::CivilDay d) const {
  if (std::binary_search(extra_.begin(), extra_.end(), d)) return true;
  if (std::binary_search(holidays_.begin(), holidays_.end(), d)) return false;
  return weekdays_[static_cast<int>(absl::GetWeekday(d))];
}

template <typename F>
bool BusinessCalendar::ForEachInterval(absl::Time from, F&& fn) const {
  const absl::CivilDay first = absl::CivilDay(tz_.At(from).cs) - 1;
  absl::Time last_end = absl::InfinitePast();
  for (int i = 0; i <= kHorizonDays + 1; ++i) {
    const absl::CivilDay day = first + i;
    if (!IsWorkingDay(day)) continue;
    const absl::CivilMinute midnight(day);
    for (const Period& p : periods_) {
      const absl::Time begin = std::max(StartInstant(tz_, midnight + p.start_minute), last_end);
      const absl::Time end = EndInstant(tz_, midnight + p.end_minute);
      if (end <= begin) continue;  // empty (DST gap) or clipped away
      last_end = end;
      if (!fn(begin, end)) return true;
    }
  }
  return false;
}

absl::Time BusinessCalendar::Add(absl::Time start, absl::Duration working) const {
  if (start == absl::InfiniteFuture() || start == absl::InfinitePast()) return start;
  if (working <= absl::ZeroDuration()) return start;
  if (working == absl::InfiniteDuration()) return absl::InfiniteFuture();
  absl::Duration remaining = working;
  absl::Time result = absl::InfiniteFuture();
  ForEachInterval(start, [&](absl::Time begin, absl::Time end) {
    if (end <= start) return true;
    begin = std::max(begin, start);
    const absl::Duration available = end - begin;
    if (remaining <= available) {
      result = begin + remaining;
      return false;
    }
    remaining -= available;
    return true;
  });
  return result;
}

absl::Duration BusinessCalendar::Between(absl::Time a, absl::Time b) const {
  if (b <= a) return absl::ZeroDuration();
  if (a == absl::InfinitePast() || b == absl::InfiniteFuture()) return absl::InfiniteDuration();
  absl::Duration sum = absl::ZeroDuration();
  const bool done = ForEachInterval(a, [&](absl::Time begin, absl::Time end) {
    if (begin >= b) return false;
    const absl::Time lo = std::max(begin, a);
    const absl::Time hi = std::min(end, b);
    if (hi > lo) sum += hi - lo;
    return true;
  });
  return done ? sum : absl::InfiniteDuration();
}

bool BusinessCalendar::IsWorking(absl::Time t) const {
  if (t == absl::InfiniteFuture() || t == absl::InfinitePast()) return false;
  bool working = false;
  ForEachInterval(t, [&](absl::Time begin, absl::Time end) {
    if (begin > t) return false;
    if (t < end) {
      working = true;
      return false;
    }
    return true;
  });
  return working;
}

absl::Time BusinessCalendar::NextWorkingStart(absl::Time t) const {
  if (t == absl::InfiniteFuture() || t == absl::InfinitePast()) return t;
  absl::Time result = absl::InfiniteFuture();
  ForEachInterval(t, [&](absl::Time begin, absl::Time end) {
    if (end <= t) return true;
    result = std::max(begin, t);
    return false;
  });
  return result;
}

absl::Time DueAt(const BusinessCalendar& cal, const DeadlineClock& c) {
  if (c.paused_since) return absl::InfiniteFuture();
  return cal.Add(c.started, c.target + c.paused_business);
}

DeadlineClock Pause(const BusinessCalendar&, DeadlineClock c, absl::Time at) {
  if (!c.paused_since) c.paused_since = at;
  return c;
}

DeadlineClock Resume(const BusinessCalendar& cal, DeadlineClock c, absl::Time at) {
  if (!c.paused_since) return c;
  // Time before the clock started never counted, so it is not added back.
  c.paused_business += cal.Between(std::max(*c.paused_since, c.started), at);
  c.paused_since.reset();
  return c;
}

absl::Time WarnAt(const BusinessCalendar& cal, const DeadlineClock& c, double fraction) {
  if (c.paused_since) return absl::InfiniteFuture();
  if (!(fraction > 0)) fraction = 0;  // also NaN
  const absl::Duration used =
      absl::Floor(c.target * fraction + absl::Microseconds(500), absl::Milliseconds(1));  // rounded
  return cal.Add(c.started, used + c.paused_business);
}

}  // namespace fbl::calendar
