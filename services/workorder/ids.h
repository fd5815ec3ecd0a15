#pragma once
// Ids that callers send (ticket, plan, agent): bounded, and never echoed
// whole into error messages (issue #10, bad input).

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace fbl::workorder {

// Generated ids are "tk-"/"pl-" + 26 characters; 128 bytes leave room for
// hand-chosen agent ids.
inline constexpr size_t kMaxIdBytes = 128;
// How much of an id an error message repeats.
inline constexpr size_t kEchoIdBytes = 64;

// INVALID_ARGUMENT "<field> is required" for an empty id, "<field> is longer
// than 128 bytes (<n>)" for a too long one (the id itself is not repeated);
// OK otherwise.
[[nodiscard]] absl::Status CheckId(absl::string_view field, absl::string_view id);

// `id` for an error message: whole if at most kEchoIdBytes, else its first
// kEchoIdBytes (cut before a partial UTF-8 character) and "…".
std::string EchoId(absl::string_view id);

}  // namespace fbl::workorder
