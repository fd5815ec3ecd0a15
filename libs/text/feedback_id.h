#pragma once
// Feedback IDs: UUIDv7 (RFC 9562) text, time-ordered.

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace fbl::text {

// A new lowercase UUIDv7, e.g. "01890a5d-ac96-774b-bcce-b302099a8057":
// 48-bit Unix time in ms, version 7, a 12-bit counter in rand_a (RFC 9562
// §6.2 method 1: reseeded randomly with its top bit clear each new ms,
// incremented within a ms; on overflow, or if the clock goes backwards, the
// timestamp is advanced by 1 ms instead), variant 10 and 62 random bits from
// a thread-local std::mt19937_64 seeded by std::random_device. IDs from one
// thread are strictly increasing as strings. Not cryptographically random:
// do not use as secrets.
std::string NewFeedbackId();

// The timestamp embedded in a UUIDv7 (either hex case). INVALID_ARGUMENT if
// `id` is not 8-4-4-4-12 hex, or not version 7 / variant 10.
[[nodiscard]] absl::StatusOr<absl::Time> FeedbackIdTime(std::string_view id);

}  // namespace fbl::text
