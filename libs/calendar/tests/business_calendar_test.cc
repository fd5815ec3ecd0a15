#include "libs/calendar/business_calendar.h"

#include <cstdint>
#include <optional>
#include <random>
#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/runtime/config.h"

namespace fbl::calendar {
namespace {

using ::testing::HasSubstr;

// Golden values below are written by hand as civil times; none is computed by
// the code under test.

absl::TimeZone Zone(const std::string& name) {
  absl::TimeZone tz;
  EXPECT_TRUE(absl::LoadTimeZone(name, &tz)) << name;
  return tz;
}

// Civil minute in a zone. Only used for civil times that exist exactly once.
absl::Time At(const absl::TimeZone& tz, int y, int mo, int d, int h, int mi) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), tz);
}

absl::Time Utc(int y, int mo, int d, int h, int mi) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), absl::UTCTimeZone());
}

// China 2026: the State Council's arrangement of public holidays and make-up
// working days (调休) as we recall it (National Day 10-01..07 with make-up
// Sun 09-20 and Sat 10-10). Not checked against the notice here: treat it as
// an example set; the golden values below are computed from exactly these
// dates.
CalendarSpec ChinaSpec2026() {
  CalendarSpec s;  // Asia/Shanghai, Mon-Fri, 09:00-12:00 + 13:30-18:00 = 7.5 h/day
  s.holidays = {
      "2026-01-01", "2026-01-02", "2026-01-03",                            // 元旦
      "2026-02-15", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19",  // 春节
      "2026-02-20", "2026-02-21", "2026-02-22", "2026-02-23",
      "2026-04-04", "2026-04-05", "2026-04-06",                            // 清明
      "2026-05-01", "2026-05-02", "2026-05-03", "2026-05-04", "2026-05-05",  // 劳动节
      "2026-06-19", "2026-06-20", "2026-06-21",                            // 端午
      "2026-09-25", "2026-09-26", "2026-09-27",                            // 中秋
      "2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05",  // 国庆
      "2026-10-06", "2026-10-07",
  };
  s.extra_working_days = {"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"};
  return s;
}

class ChinaCalendarTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cal = BusinessCalendar::Create(ChinaSpec2026());
    ASSERT_TRUE(cal.ok()) << cal.status();
    cal_.emplace(*std::move(cal));
  }
  absl::Time Sh(int y, int mo, int d, int h, int mi) { return At(sh_, y, mo, d, h, mi); }

  absl::TimeZone sh_ = Zone("Asia/Shanghai");
  std::optional<BusinessCalendar> cal_;
};

TEST_F(ChinaCalendarTest, FridayAfternoonWith24WorkingHours) {
  // Fri 17-18 (1 h), Mon/Tue/Wed 7.5 h each (23.5 h), Thu 09:00 + 0.5 h.
  const absl::Time open = Sh(2026, 6, 5, 17, 0);
  const absl::Time due = cal_->Add(open, absl::Hours(24));
  EXPECT_EQ(due, Sh(2026, 6, 11, 9, 30));
  EXPECT_EQ(cal_->Between(open, due), absl::Hours(24));
}

TEST_F(ChinaCalendarTest, OpenedDuringLunch) {
  const absl::Time open = Sh(2026, 6, 9, 12, 15);  // Tuesday
  EXPECT_FALSE(cal_->IsWorking(open));
  EXPECT_EQ(cal_->NextWorkingStart(open), Sh(2026, 6, 9, 13, 30));
  EXPECT_EQ(cal_->Add(open, absl::Hours(2)), Sh(2026, 6, 9, 15, 30));
  // Landing exactly on a period end keeps that end.
  EXPECT_EQ(cal_->Add(open, absl::Minutes(270)), Sh(2026, 6, 9, 18, 0));
  EXPECT_EQ(cal_->Add(open, absl::Hours(5)), Sh(2026, 6, 10, 9, 30));
  EXPECT_EQ(cal_->Between(open, Sh(2026, 6, 9, 14, 0)), absl::Minutes(30));
  // Period bounds are half-open.
  EXPECT_TRUE(cal_->IsWorking(Sh(2026, 6, 9, 9, 0)));
  EXPECT_TRUE(cal_->IsWorking(Sh(2026, 6, 9, 11, 59)));
  EXPECT_FALSE(cal_->IsWorking(Sh(2026, 6, 9, 12, 0)));
  EXPECT_TRUE(cal_->IsWorking(Sh(2026, 6, 9, 13, 30)));
  EXPECT_FALSE(cal_->IsWorking(Sh(2026, 6, 9, 18, 0)));
  EXPECT_EQ(cal_->NextWorkingStart(Sh(2026, 6, 9, 10, 0)), Sh(2026, 6, 9, 10, 0));
}

TEST_F(ChinaCalendarTest, OpenedOnAHoliday) {
  // Sat 2026-10-03 is inside National Day; work resumes Thu 10-08.
  EXPECT_FALSE(cal_->IsWorking(Sh(2026, 10, 3, 10, 0)));
  EXPECT_EQ(cal_->NextWorkingStart(Sh(2026, 10, 3, 10, 0)), Sh(2026, 10, 8, 9, 0));
  EXPECT_EQ(cal_->Add(Sh(2026, 10, 3, 10, 0), absl::Hours(2)), Sh(2026, 10, 8, 11, 0));
  // Thu 10-01 (a weekday, but a holiday): 7.5 h on 10-08, 0.5 h on 10-09.
  EXPECT_EQ(cal_->Add(Sh(2026, 10, 1, 10, 0), absl::Hours(8)), Sh(2026, 10, 9, 9, 30));
  EXPECT_FALSE(cal_->IsWorkingDay(absl::CivilDay(2026, 10, 1)));
  EXPECT_TRUE(cal_->IsWorkingDay(absl::CivilDay(2026, 10, 10)));  // make-up Saturday
  EXPECT_FALSE(cal_->IsWorkingDay(absl::CivilDay(2026, 10, 11)));  // ordinary Sunday
}

TEST_F(ChinaCalendarTest, ThreeWorkingDaysAcrossNationalDay) {
  const absl::Duration three_days = absl::Minutes(3 * 450);  // 22.5 h
  // Wed 09-30 10:00: 6.5 h that day; 10-01..07 off; Thu 10-08 7.5 h, Fri 10-09
  // 7.5 h; make-up Sat 10-10 09:00 + 1 h.
  EXPECT_EQ(cal_->Add(Sh(2026, 9, 30, 10, 0), three_days), Sh(2026, 10, 10, 10, 0));
  // Fri 09-18 17:00: 1 h; make-up Sun 09-20 7.5 h; Mon 09-21 7.5 h; Tue 09-22
  // 3 h in the morning, 3.5 h from 13:30.
  EXPECT_EQ(cal_->Add(Sh(2026, 9, 18, 17, 0), three_days), Sh(2026, 9, 22, 17, 0));
  EXPECT_EQ(cal_->Between(Sh(2026, 9, 30, 0, 0), Sh(2026, 10, 11, 0, 0)),
            absl::Minutes(4 * 450));  // 09-30, 10-08, 10-09, 10-10
}

TEST_F(ChinaCalendarTest, ThirtyWorkingDaysAcrossSpringFestival) {
  // From Mon 02-02 09:00: Feb 2-13 (10), make-up Sat 02-14 (11), 02-15..23
  // off, Feb 24-27 (15), make-up Sat 02-28 (16), Mar 2-13 (26), Mar 16-19 (30).
  EXPECT_EQ(cal_->Add(Sh(2026, 2, 2, 9, 0), absl::Minutes(30 * 450)), Sh(2026, 3, 19, 18, 0));
}

TEST_F(ChinaCalendarTest, HorizonAndEdges) {
  const absl::Time t = Sh(2026, 6, 9, 10, 0);
  EXPECT_EQ(cal_->Add(t, absl::ZeroDuration()), t);
  EXPECT_EQ(cal_->Add(t, -absl::Hours(1)), t);
  EXPECT_EQ(cal_->Add(t, absl::InfiniteDuration()), absl::InfiniteFuture());
  // About 1900 h of working time per year: 20 years of it is past the horizon.
  EXPECT_EQ(cal_->Add(t, absl::Hours(20 * 2000)), absl::InfiniteFuture());
  EXPECT_EQ(cal_->Between(t, t + absl::Hours(24 * 365 * 11)), absl::InfiniteDuration());
  EXPECT_EQ(cal_->Between(t, t), absl::ZeroDuration());
  EXPECT_EQ(cal_->Between(t, t - absl::Hours(1)), absl::ZeroDuration());
  EXPECT_EQ(cal_->Add(absl::InfiniteFuture(), absl::Hours(1)), absl::InfiniteFuture());
}

// Between(s, Add(s, d)) == d and Add composes, for random starts and durations
// (fixed seed).
TEST_F(ChinaCalendarTest, AddAndBetweenAgree) {
  std::mt19937_64 rng(20261001);
  const int64_t year_start = absl::ToUnixSeconds(Sh(2026, 1, 1, 0, 0));
  const int64_t year_end = absl::ToUnixSeconds(Sh(2027, 1, 1, 0, 0));
  std::uniform_int_distribution<int64_t> start_dist(year_start, year_end);
  std::uniform_int_distribution<int64_t> dur_dist(1, 60 * 450 * 60);  // up to 60 working days, seconds
  for (int i = 0; i < 2000; ++i) {
    const absl::Time s = absl::FromUnixSeconds(start_dist(rng));
    const absl::Duration d = absl::Seconds(dur_dist(rng));
    const absl::Time due = cal_->Add(s, d);
    ASSERT_LT(s, due) << s;
    ASSERT_EQ(cal_->Between(s, due), d) << "start " << s << " working " << d;
    // The due instant is inside a period or is the end of one.
    ASSERT_TRUE(cal_->IsWorking(due) || cal_->IsWorking(due - absl::Seconds(1))) << due;
    const absl::Duration d1 = absl::Seconds(dur_dist(rng) / 2 + 1);
    ASSERT_EQ(cal_->Add(cal_->Add(s, d1), d), cal_->Add(s, d1 + d)) << s;
  }
}

// New York, 09:00-17:00 Mon-Fri, DST 2026-03-08 (spring) and 2026-11-01 (fall).
class NewYorkCalendarTest : public ::testing::Test {
 protected:
  static BusinessCalendar Make(std::vector<std::string> days, std::vector<std::string> periods) {
    CalendarSpec s;
    s.time_zone = "America/New_York";
    s.working_days = std::move(days);
    s.periods = std::move(periods);
    auto cal = BusinessCalendar::Create(s);
    EXPECT_TRUE(cal.ok()) << cal.status();
    return std::move(cal).value();
  }
  absl::Time Ny(int y, int mo, int d, int h, int mi) { return At(ny_, y, mo, d, h, mi); }

  absl::TimeZone ny_ = Zone("America/New_York");
  const std::vector<std::string> kAllDays = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
};

TEST_F(NewYorkCalendarTest, TargetAcrossSpringForward) {
  const BusinessCalendar cal = Make({"mon", "tue", "wed", "thu", "fri"}, {"09:00-17:00"});
  // Fri 13:00 EST (18:00 UTC) + 8 h: 4 h Friday, Mon 09:00 EDT + 4 h.
  const absl::Time open = Ny(2026, 3, 6, 13, 0);
  ASSERT_EQ(open, Utc(2026, 3, 6, 18, 0));
  const absl::Time due = cal.Add(open, absl::Hours(8));
  EXPECT_EQ(due, Ny(2026, 3, 9, 13, 0));
  EXPECT_EQ(due, Utc(2026, 3, 9, 17, 0));  // EDT: one hour less in absolute time
  EXPECT_EQ(due - open, absl::Hours(71));
}

TEST_F(NewYorkCalendarTest, TargetAcrossFallBack) {
  const BusinessCalendar cal = Make({"mon", "tue", "wed", "thu", "fri"}, {"09:00-17:00"});
  const absl::Time open = Ny(2026, 10, 30, 13, 0);
  ASSERT_EQ(open, Utc(2026, 10, 30, 17, 0));
  const absl::Time due = cal.Add(open, absl::Hours(8));
  EXPECT_EQ(due, Ny(2026, 11, 2, 13, 0));
  EXPECT_EQ(due, Utc(2026, 11, 2, 18, 0));
  EXPECT_EQ(due - open, absl::Hours(73));
}

TEST_F(NewYorkCalendarTest, RoundTheClockCountsRealHours) {
  const BusinessCalendar cal = Make(kAllDays, {"00:00-24:00"});
  // Sat 12:00 EST + 24 h of real time = Sun 13:00 EDT.
  EXPECT_EQ(cal.Add(Ny(2026, 3, 7, 12, 0), absl::Hours(24)), Utc(2026, 3, 8, 17, 0));
  EXPECT_EQ(cal.Between(Ny(2026, 3, 8, 0, 0), Ny(2026, 3, 9, 0, 0)), absl::Hours(23));
  EXPECT_EQ(cal.Between(Ny(2026, 11, 1, 0, 0), Ny(2026, 11, 2, 0, 0)), absl::Hours(25));
  EXPECT_TRUE(cal.IsWorking(Utc(2026, 3, 8, 7, 0)));
}

TEST_F(NewYorkCalendarTest, PeriodsInsideTheTransition) {
  const absl::Time mar8 = Ny(2026, 3, 8, 0, 0);
  const absl::Time mar9 = Ny(2026, 3, 9, 0, 0);
  const absl::Time nov1 = Ny(2026, 11, 1, 0, 0);
  const absl::Time nov2 = Ny(2026, 11, 2, 0, 0);
  {
    // 01:00 EST (06:00 UTC) to 04:00 EDT (08:00 UTC): 2 h; fall: 01:00 EDT
    // (05:00 UTC, first occurrence) to 04:00 EST (09:00 UTC): 4 h.
    const BusinessCalendar cal = Make({"sun"}, {"01:00-04:00"});
    EXPECT_EQ(cal.Between(mar8, mar9), absl::Hours(2));
    EXPECT_EQ(cal.NextWorkingStart(mar8), Utc(2026, 3, 8, 6, 0));
    EXPECT_EQ(cal.Between(nov1, nov2), absl::Hours(4));
    EXPECT_EQ(cal.NextWorkingStart(nov1), Utc(2026, 11, 1, 5, 0));
  }
  {
    // Start 02:30 does not exist: the period starts at the transition, 03:00
    // EDT (07:00 UTC), and ends 05:00 EDT.
    const BusinessCalendar cal = Make({"sun"}, {"02:30-05:00"});
    EXPECT_EQ(cal.NextWorkingStart(mar8), Utc(2026, 3, 8, 7, 0));
    EXPECT_EQ(cal.Between(mar8, mar9), absl::Hours(2));
    EXPECT_EQ(cal.Add(mar8, absl::Hours(2)), Utc(2026, 3, 8, 9, 0));
  }
  {
    // 02:00-03:00 does not exist on 03-08: no working time that day; the next
    // is Sun 03-15 02:00 EDT (06:00 UTC).
    const BusinessCalendar cal = Make({"sun"}, {"02:00-03:00"});
    EXPECT_EQ(cal.Between(mar8, mar9), absl::ZeroDuration());
    EXPECT_EQ(cal.NextWorkingStart(mar8), Utc(2026, 3, 15, 6, 0));
    EXPECT_FALSE(cal.IsWorking(Utc(2026, 3, 8, 7, 0)));
  }
  {
    // Two periods meeting inside the repeated hour on 11-01: the first ends at
    // the second 01:30 (EST, 06:30 UTC); the second would start at the first
    // 01:30 (EDT, 05:30 UTC) and is clipped to 06:30-07:00 UTC, so nothing
    // counts twice.
    const BusinessCalendar cal = Make({"sun"}, {"00:00-01:30", "01:30-02:00"});
    EXPECT_EQ(cal.Between(nov1, nov2), absl::Hours(3));  // 04:00 to 07:00 UTC
    EXPECT_EQ(cal.Add(nov1, absl::Hours(3)), Utc(2026, 11, 1, 7, 0));
  }
}

TEST(BerlinCalendarTest, TargetAcrossSpringForward) {
  CalendarSpec s;
  s.time_zone = "Europe/Berlin";
  s.periods = {"09:00-17:00"};
  auto cal = BusinessCalendar::Create(s);
  ASSERT_TRUE(cal.ok()) << cal.status();
  // Fri 2026-03-27 16:00 CET (15:00 UTC) + 2 h: Mon 03-30 10:00 CEST (08:00 UTC).
  EXPECT_EQ(cal->Add(Utc(2026, 3, 27, 15, 0), absl::Hours(2)), Utc(2026, 3, 30, 8, 0));
  // Fri 2026-10-23 16:00 CEST (14:00 UTC) + 2 h: Mon 10-26 10:00 CET (09:00 UTC).
  EXPECT_EQ(cal->Add(Utc(2026, 10, 23, 14, 0), absl::Hours(2)), Utc(2026, 10, 26, 9, 0));
}

TEST_F(ChinaCalendarTest, PauseAndResume) {
  DeadlineClock clock{.started = Sh(2026, 6, 8, 9, 0), .target = absl::Hours(16)};  // Monday
  // Mon 7.5 h, Tue 7.5 h, Wed 09:00 + 1 h.
  const absl::Time due = DueAt(*cal_, clock);
  EXPECT_EQ(due, Sh(2026, 6, 10, 10, 0));
  // 0.8 × 16 h = 12 h 48 min: Mon 7.5 h, Tue 3 h + 13:30 + 2 h 18 min.
  EXPECT_EQ(WarnAt(*cal_, clock, 0.8), Sh(2026, 6, 9, 15, 48));

  clock = Pause(*cal_, clock, Sh(2026, 6, 8, 11, 0));
  EXPECT_EQ(DueAt(*cal_, clock), absl::InfiniteFuture());
  EXPECT_EQ(WarnAt(*cal_, clock, 0.8), absl::InfiniteFuture());
  clock = Pause(*cal_, clock, Sh(2026, 6, 8, 11, 30));  // already paused: no change
  ASSERT_TRUE(clock.paused_since.has_value());
  EXPECT_EQ(*clock.paused_since, Sh(2026, 6, 8, 11, 0));

  // 11:00-12:00 and 13:30-14:30: 2 business hours across lunch.
  clock = Resume(*cal_, clock, Sh(2026, 6, 8, 14, 30));
  EXPECT_FALSE(clock.paused_since.has_value());
  EXPECT_EQ(clock.paused_business, absl::Hours(2));
  const absl::Time moved = DueAt(*cal_, clock);
  EXPECT_EQ(moved, Sh(2026, 6, 10, 12, 0));
  EXPECT_EQ(cal_->Between(due, moved), absl::Hours(2));
  // 12 h 48 min + 2 h: Mon 7.5 h, Tue 3 h + 13:30 + 4 h 18 min.
  EXPECT_EQ(WarnAt(*cal_, clock, 0.8), Sh(2026, 6, 9, 17, 48));
  EXPECT_EQ(WarnAt(*cal_, clock, 1.0), moved);

  // A pause over the weekend counts business time only: Fri 17:00-18:00 and
  // Mon 09:00-09:30.
  clock = Pause(*cal_, clock, Sh(2026, 6, 12, 17, 0));
  clock = Resume(*cal_, clock, Sh(2026, 6, 15, 9, 30));
  EXPECT_EQ(clock.paused_business, absl::Hours(2) + absl::Minutes(90));
  EXPECT_EQ(Resume(*cal_, clock, Sh(2026, 6, 16, 9, 0)).paused_business, clock.paused_business);
}

absl::StatusOr<CalendarSpec> Load(const std::string& yaml) {
  return config::LoadFromString<CalendarSpec>(yaml, "calendar.yaml");
}

TEST(CalendarConfigTest, ValidYamlBinds) {
  auto spec = Load(
      "time_zone: Europe/Berlin\n"
      "working_days: [mon, tue, wed, thu, fri, sat]\n"
      "periods: ['08:00-12:00', '12:30-16:30', '22:00-24:00']\n"
      "holidays: ['2026-12-25']\n"
      "extra_working_days: ['2026-12-27']\n");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->time_zone, "Europe/Berlin");
  EXPECT_EQ(spec->periods.size(), 3u);
  EXPECT_TRUE(BusinessCalendar::Create(*spec).ok());
  EXPECT_TRUE(Load("").ok());  // the defaults are valid
}

TEST(CalendarConfigTest, ErrorsNameTheKey) {
  struct Case {
    std::string yaml;
    std::string key;
  };
  const Case cases[] = {
      {"time_zone: Mars/Olympus\n", "key 'time_zone'"},
      {"periods: ['25:00-26:00']\n", "key 'periods[0]'"},
      {"periods: ['09:00-12:00', '11:00-13:00']\n", "key 'periods[1]'"},
      {"periods: ['13:00-18:00', '09:00-12:00']\n", "key 'periods[1]'"},
      {"periods: ['12:00-09:00']\n", "key 'periods[0]'"},
      {"periods: ['9:00-12:00']\n", "key 'periods[0]'"},
      {"periods: []\n", "key 'periods'"},
      {"holidays: ['2026-10-01', '2026-13-01']\n", "key 'holidays[1]'"},
      {"holidays: ['2026-02-30']\n", "key 'holidays[0]'"},
      {"extra_working_days: ['tomorrow']\n", "key 'extra_working_days[0]'"},
      {"holidays: ['2026-10-10']\nextra_working_days: ['2026-10-10']\n", "key 'extra_working_days[0]'"},
      {"working_days: []\n", "key 'working_days'"},
      {"working_days: [mon, funday]\n", "key 'working_days[1]'"},
  };
  for (const Case& c : cases) {
    auto spec = Load(c.yaml);
    ASSERT_FALSE(spec.ok()) << c.yaml;
    EXPECT_THAT(spec.status().message(), HasSubstr(c.key)) << c.yaml;
  }
}

TEST(CalendarConfigTest, CreateValidatesToo) {
  CalendarSpec s;
  s.working_days.clear();
  auto cal = BusinessCalendar::Create(s);
  ASSERT_FALSE(cal.ok());
  EXPECT_EQ(cal.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(cal.status().message(), HasSubstr("working_days"));
  s = CalendarSpec{};
  s.time_zone = "Nowhere/City";
  cal = BusinessCalendar::Create(s);
  ASSERT_FALSE(cal.ok());
  EXPECT_THAT(cal.status().message(), HasSubstr("time_zone"));
}

}  // namespace
}  // namespace fbl::calendar
