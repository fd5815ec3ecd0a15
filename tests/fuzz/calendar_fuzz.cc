// libFuzzer: the business calendar spec (libs/calendar) as YAML: bind,
// validate, build, and compute deadlines with whatever was accepted.
#include <cstddef>
#include <cstdint>
#include <string>

#include "libs/calendar/business_calendar.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 16 * 1024) return 0;
  const std::string yaml(reinterpret_cast<const char*>(data), size);
  auto spec = fbl::config::LoadFromString<fbl::calendar::CalendarSpec>(yaml, "fuzz.yaml", {});
  if (!spec.ok()) {
    if (spec.status().message().empty()) __builtin_trap();
    return 0;
  }
  auto cal = fbl::calendar::BusinessCalendar::Create(*spec);
  if (!cal.ok()) {
    if (cal.status().message().empty()) __builtin_trap();
    return 0;
  }
  const absl::Time start = absl::FromUnixSeconds(1767225600);  // 2026-01-01
  const absl::Time due = cal->Add(start, absl::Hours(24));
  if (due < start) __builtin_trap();  // business time never runs backwards
  const absl::Duration between = cal->Between(start, due);
  if (between < absl::ZeroDuration()) __builtin_trap();
  (void)cal->NextWorkingStart(due);
  return 0;
}
