#include "services/notifier/storm.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace fbl::notifier {

StormDecision DecideStorm(const std::optional<StormWindow>& current, absl::Time now, absl::Duration window) {
  const int64_t now_ms = absl::ToUnixMillis(now);
  if (current.has_value() && !current->closed && now_ms < current->closes_ms) return {true, *current};
  StormDecision d;
  d.window.start_ms = now_ms;
  d.window.closes_ms = now_ms + std::max<int64_t>(absl::ToInt64Milliseconds(window), 1);
  // A new window must not reuse the start (the key) of the one just closed.
  if (current.has_value() && d.window.start_ms <= current->start_ms) {
    d.window.start_ms = current->start_ms + 1;
    d.window.closes_ms = d.window.start_ms + std::max<int64_t>(absl::ToInt64Milliseconds(window), 1);
  }
  return d;
}

std::string StormKey(std::string_view group_key, int tier) {
  return absl::StrCat(std::string(group_key), "|t", tier);
}

Page StormSummaryPage(std::string_view storm_key, const StormWindow& window, int count, std::string_view group_key,
                      const Page& first) {
  Page p;
  p.event_id = absl::StrCat("storm:", std::string(storm_key), ":", window.start_ms);
  p.alert_id = first.alert_id;
  p.event_type = "STORM_SUMMARY";
  p.category = first.category;
  p.severity = first.severity;
  p.department = first.department;
  p.tier = first.tier;
  p.grouped_count = count;
  p.group_key = std::string(group_key);
  p.occurred_at = absl::FromUnixMillis(window.closes_ms);
  p.summary = absl::StrCat(count, " more ", std::string(group_key), " alerts between ",
                           absl::FormatTime("%H:%M:%S", absl::FromUnixMillis(window.start_ms), absl::UTCTimeZone()),
                           " and ",
                           absl::FormatTime("%H:%M:%S", absl::FromUnixMillis(window.closes_ms), absl::UTCTimeZone()),
                           " UTC after alert ", first.alert_id, "; see ListAlerts");
  ComposeText(p);
  return p;
}

}  // namespace fbl::notifier
