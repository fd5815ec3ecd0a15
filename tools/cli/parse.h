#pragma once
// Parsing of fbl's command-line values: durations ("7d"), points in time and
// periods ("--from/--to", "--last 7d", "A..B"), enum names resolved through
// the protobuf descriptors ("in_progress" -> TICKET_STATE_IN_PROGRESS),
// tag codes with their level, analytics filters. Pure: no gRPC, no I/O.
// Errors are INVALID_ARGUMENT with a message for the user.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace google::protobuf {
class EnumDescriptor;
}  // namespace google::protobuf

namespace fbl::cli {

// A positive duration: an integer with a unit s, m, h, d (24 h) or w (7 d),
// several concatenated: "90s", "15m", "24h", "7d", "2w", "1d12h".
absl::StatusOr<absl::Duration> ParseDuration(std::string_view text);

// A point in time: RFC 3339 ("2026-11-20T09:00:00Z", "...+08:00"),
// "2026-11-20 09:00[:00]" or "2026-11-20T09:00[:00]" in `tz`, or a date
// "2026-11-20" (midnight in `tz`; `date_only` is then true).
struct TimePoint {
  absl::Time time;
  bool date_only = false;
};
absl::StatusOr<TimePoint> ParseTimePoint(std::string_view text, absl::TimeZone tz);

// A half-open period [start, end).
struct Period {
  absl::Time start;
  absl::Time end;
};

// The period of --from/--to/--last:
// - `last` ("7d"): [now − last, now); may not be combined with from/to.
// - `from` and/or `to`: `from` defaults to `to` − `default_last`, `to` to now.
//   A date as `to` includes that whole day ("--to 2026-11-07" ends at
//   2026-11-08 00:00), a time is exclusive.
// - none: [now − default_last, now).
// The start must be before the end.
absl::StatusOr<Period> ResolvePeriod(std::string_view from, std::string_view to, std::string_view last,
                                     absl::Time now, absl::TimeZone tz, absl::Duration default_last);

// "A..B" with A and B as for ParseTimePoint (B a date: through the end of
// that day); "A.." ends now; a duration alone ("7d") is the last 7 days.
absl::StatusOr<Period> ParseRange(std::string_view text, absl::Time now, absl::TimeZone tz);

// "--since" values: a duration means that long before now ("24h"), otherwise
// a point in time.
absl::StatusOr<absl::Time> ParseSince(std::string_view text, absl::Time now, absl::TimeZone tz);

// The prefix shared by an enum's value names, derived from its zero value
// "<PREFIX>UNSPECIFIED": "TICKET_STATE_" for TicketState. Empty when the
// zero value does not end in "UNSPECIFIED".
std::string EnumPrefix(const google::protobuf::EnumDescriptor& e);

// Resolves a user's spelling of an enum value to its number. Accepted, case
// insensitive and with '-' for '_': the full name (TICKET_STATE_IN_PROGRESS),
// the short name without the prefix (in_progress), or a prefix of the short
// name that fits exactly one value (p0 -> PRIORITY_P0_CRITICAL). The zero
// (UNSPECIFIED) value is never accepted. The error lists the short names.
absl::StatusOr<int> ResolveEnum(const google::protobuf::EnumDescriptor& e, std::string_view text);

// The short lower-case name of a value: "in_progress"; "" for the zero
// value; the number as text for a number the descriptor does not know.
std::string ShortEnumName(const google::protobuf::EnumDescriptor& e, int number);

// Short names of all values but the zero value, in declaration order.
std::vector<std::string> ShortEnumNames(const google::protobuf::EnumDescriptor& e);

// `name` (a full enum value name held in a string field, e.g. a Ticket's
// problem_type "PROBLEM_TYPE_LOGISTICS") in short lower-case form when it
// starts with `prefix`; otherwise unchanged.
std::string ShortenEnumString(std::string_view name, std::string_view prefix);

// A tag for a correction: "level:code" with level l1, l2 or l3 given
// explicitly ("l3:logistics.late_delivery"), or a bare code whose level
// follows from the taxonomy's code shape: an intent (complaint, suggestion,
// inquiry, praise) is L1, a dotted code ("logistics.late_delivery") L3,
// any other code ("logistics") L2.
struct TagSpec {
  int level = 0;  // 1..3 (classification.v1.TagLevel numbers)
  std::string code;
};
absl::StatusOr<TagSpec> ParseTagSpec(std::string_view text);

// "key=value"; the key is trimmed and must not be empty.
absl::StatusOr<std::pair<std::string, std::string>> ParseKeyValue(std::string_view text);

// An analytics filter "dimension=value", e.g. "channel=email",
// "tag_l3=logistics.late_delivery". The dimension resolves like ResolveEnum
// against analytics.v1.Dimension; for the enum-valued dimensions (channel,
// customer_type, problem_type) the value resolves against that enum and is
// returned as the full name the service expects ("CHANNEL_EMAIL").
struct FilterSpec {
  int dimension = 0;  // analytics.v1.Dimension number
  std::string value;
};
absl::StatusOr<FilterSpec> ParseFilter(std::string_view text);

// The full enum value name for a value of an enum-valued analytics dimension
// (see ParseFilter); other dimensions return `value` unchanged.
absl::StatusOr<std::string> ResolveDimensionValue(int dimension, std::string_view value);

}  // namespace fbl::cli
