#pragma once
// Internal: process-wide libsodium initialisation. Not part of the public API.

#include "absl/status/status.h"

namespace fbl::privacy::internal {

// Runs sodium_init() exactly once per process (std::call_once) and returns
// its outcome on every call. INTERNAL when libsodium cannot initialise (no
// usable randomness source); retrying will not help.
[[nodiscard]] absl::Status InitSodium();

}  // namespace fbl::privacy::internal
