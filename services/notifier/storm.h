#pragma once
// Pure storm grouping. Alerts with the same group key (and tier) within a
// window form a storm: the first one pages as usual and opens the window;
// the others in the window are only recorded (GROUPED); when the window
// closes, one summary page "N more <group> alerts" goes to everyone the
// grouped alerts would have paged. The next alert after that opens a new
// window, so a long storm yields one page and one update per window.
//
// The state lives in Redis (StormStore applies these decisions atomically,
// with a compare-and-set on the current window); this file holds the rules.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "services/notifier/page.h"

namespace fbl::notifier {

// The current window of one storm key, as stored.
struct StormWindow {
  int64_t start_ms = 0;
  int64_t closes_ms = 0;
  bool closed = false;  // its summary is being (or was) sent: join no more
};

struct StormDecision {
  bool grouped = false;  // false: page normally and open `window`
  StormWindow window;    // the window the alert belongs to
};

// What happens to one alert arriving at `now` given the current window.
StormDecision DecideStorm(const std::optional<StormWindow>& current, absl::Time now, absl::Duration window);

// Alerts group by key and tier (an escalation storm is its own storm).
std::string StormKey(std::string_view group_key, int tier);

// The summary page for a closed window that grouped `count` alerts. Its
// event id is unique per window, so the summary goes out once per person.
Page StormSummaryPage(std::string_view storm_key, const StormWindow& window, int count, std::string_view group_key,
                      const Page& first);

}  // namespace fbl::notifier
