#include "services/analytics/buckets.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"

namespace fbl::analytics {

std::string Buckets::HourLabel(absl::Time t) const {
  const absl::CivilHour h = absl::ToCivilHour(t, zone_);
  return absl::StrFormat("%04d%02d%02d%02d", h.year(), h.month(), h.day(), h.hour());
}

std::string Buckets::DayLabel(absl::Time t) const {
  const absl::CivilDay d = absl::ToCivilDay(t, zone_);
  return absl::StrFormat("%04d%02d%02d", d.year(), d.month(), d.day());
}

absl::Time Buckets::Start(absl::Time t, Granularity g) const {
  switch (g) {
    case Granularity::kHour:
      return absl::FromCivil(absl::ToCivilHour(t, zone_), zone_);
    case Granularity::kDay:
      return absl::FromCivil(absl::ToCivilDay(t, zone_), zone_);
    case Granularity::kWeek: {
      absl::CivilDay d = absl::ToCivilDay(t, zone_);
      while (absl::GetWeekday(d) != absl::Weekday::monday) --d;
      return absl::FromCivil(d, zone_);
    }
    case Granularity::kMonth:
      return absl::FromCivil(absl::ToCivilMonth(t, zone_), zone_);
  }
  return t;
}

absl::Time Buckets::Next(absl::Time bucket_start, Granularity g) const {
  switch (g) {
    case Granularity::kHour:
      return absl::FromCivil(absl::ToCivilHour(bucket_start, zone_) + 1, zone_);
    case Granularity::kDay:
      return absl::FromCivil(absl::ToCivilDay(bucket_start, zone_) + 1, zone_);
    case Granularity::kWeek:
      return absl::FromCivil(absl::ToCivilDay(bucket_start, zone_) + 7, zone_);
    case Granularity::kMonth:
      return absl::FromCivil(absl::ToCivilMonth(bucket_start, zone_) + 1, zone_);
  }
  return bucket_start;
}

absl::StatusOr<std::vector<absl::Time>> Buckets::Enumerate(absl::Time start, absl::Time end, Granularity g,
                                                           size_t max) const {
  if (!(start < end)) return absl::InvalidArgumentError("period: end must be after start");
  std::vector<absl::Time> out;
  for (absl::Time b = Start(start, g); b < end; b = Next(b, g)) {
    if (out.size() == max) {
      return absl::InvalidArgumentError(absl::StrCat("period: more than ", max, " buckets; use a coarser granularity"));
    }
    out.push_back(b);
  }
  return out;
}

absl::StatusOr<Buckets::Cover> Buckets::CoverPeriod(absl::Time start, absl::Time end) const {
  if (!(start < end)) return absl::InvalidArgumentError("period: end must be after start");
  // Hours are the unit: a period inside an hour reads that whole hour.
  const absl::Time first_hour = Start(start, Granularity::kHour);
  if (absl::ToInt64Hours(end - first_hour) > 24 * 3700) {
    return absl::InvalidArgumentError("period: longer than ten years");
  }
  Cover c;
  absl::Time t = first_hour;
  while (t < end) {
    const absl::Time day = Start(t, Granularity::kDay);
    const absl::Time next_day = Next(day, Granularity::kDay);
    c.touched_days.push_back(DayLabel(day));
    if (t == day && next_day <= end) {
      c.days.push_back(DayLabel(day));
      t = next_day;
      continue;
    }
    for (; t < next_day && t < end; t = Next(t, Granularity::kHour)) c.hours.push_back(HourLabel(t));
  }
  return c;
}

}  // namespace fbl::analytics
