#pragma once
// Pure on-call logic: who is on call in a rotation at a given time (shifts
// handed over in the rotation's own time zone, overrides), and which people
// an alert pages (routes by category, severity, department and tier).
// Standard library and Abseil only; the clock is always a parameter.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace fbl::notifier {

// How a person is reached.
enum class ChannelType { kWebhook, kSms, kEmail, kImRobot };
inline constexpr ChannelType kAllChannelTypes[] = {ChannelType::kWebhook, ChannelType::kSms, ChannelType::kEmail,
                                                   ChannelType::kImRobot};

// "webhook", "sms", "email", "im".
std::string_view ChannelTypeName(ChannelType type);
std::optional<ChannelType> ParseChannelType(std::string_view name);

// One way to reach a person: a webhook URL, a phone number, an e-mail
// address or an IM robot webhook URL.
struct ContactPoint {
  ChannelType type = ChannelType::kWebhook;
  std::string address;
};

// An on-call person; `channels` in order of preference (the first is the
// primary, the others are fallbacks).
struct Person {
  std::string id;
  std::string name;
  std::vector<ContactPoint> channels;
};

// A rotation as configured. `start` is a civil time ("2026-01-05T09:00") in
// `time_zone`: the first member's first shift starts then, and each later
// shift starts `shift` after the previous one. Shifts of whole days hand
// over at the same wall-clock time every day, also across DST changes.
struct RotationSpec {
  std::string id;
  std::vector<std::string> members;
  absl::Duration shift = absl::Hours(24 * 7);
  std::string start;
  std::string time_zone = "UTC";
};

// `person` takes over `rotation` in [start, end). Times are RFC 3339 with an
// offset ("2026-11-20T18:00:00+08:00") or civil times in the rotation's zone.
struct OverrideSpec {
  std::string rotation;
  std::string person;
  std::string start;
  std::string end;
};

// Which rotations (and people directly) an alert pages. Empty match lists
// match everything. Routes of one tier are tried in order; the first match
// wins unless it says `continue_matching`.
struct RouteSpec {
  std::string name;
  int tier = 0;
  std::vector<std::string> categories;  // e.g. ALERT_CATEGORY_SAFETY
  std::vector<std::string> severities;  // e.g. SEVERITY_SEV1_CRITICAL
  std::vector<std::string> departments;
  std::vector<std::string> rotations;
  std::vector<std::string> people;
  bool continue_matching = false;
};

// What routing looks at.
struct AlertFacts {
  std::string category;
  std::string severity;
  std::string department;
  int tier = 0;
};

struct RoutingResult {
  std::vector<std::string> people;  // person ids, each once, in route order
  std::vector<std::string> routes;  // names of the routes that matched
  int tier = -1;                    // the tier whose routes matched; -1 if none
};

// People, rotations, overrides and routes, checked for consistency.
// Immutable after Create; safe to share between threads.
class OnCallDirectory {
 public:
  [[nodiscard]] static absl::StatusOr<OnCallDirectory> Create(std::vector<Person> people,
                                                             const std::vector<RotationSpec>& rotations,
                                                             const std::vector<OverrideSpec>& overrides,
                                                             std::vector<RouteSpec> routes);

  // The person on call in `rotation_id` at `at` (overrides first).
  [[nodiscard]] absl::StatusOr<std::string> OnCall(std::string_view rotation_id, absl::Time at) const;

  // The people `facts` pages at `at`: the routes of tier `facts.tier`; if no
  // route of that tier matches, those of the highest lower tier that does
  // (an escalation beyond the last configured tier still pages someone).
  RoutingResult Route(const AlertFacts& facts, absl::Time at) const;

  const Person* FindPerson(std::string_view id) const;
  const std::vector<Person>& people() const { return people_; }

 private:
  struct Override {
    std::string person;
    absl::Time start;
    absl::Time end;
  };
  struct Rotation {
    std::vector<std::string> members;
    absl::Duration shift;
    int64_t shift_days = 0;  // > 0 when the shift is whole days (civil hand-over)
    absl::TimeZone zone;
    absl::CivilSecond start_civil;
    absl::Time start;
    std::vector<Override> overrides;
  };
  static bool Matches(const RouteSpec& route, const AlertFacts& facts);

  std::vector<Person> people_;
  absl::flat_hash_map<std::string, size_t> person_index_;
  absl::flat_hash_map<std::string, Rotation> rotations_;
  std::vector<RouteSpec> routes_;
};

// Parses an RFC 3339 time, or a civil time interpreted in `zone`.
[[nodiscard]] absl::StatusOr<absl::Time> ParseTimeIn(std::string_view text, absl::TimeZone zone);

}  // namespace fbl::notifier
