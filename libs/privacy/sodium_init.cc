#include "libs/privacy/sodium_init.h"

#include <sodium.h>

#include <mutex>

namespace fbl::privacy::internal {

absl::Status InitSodium() {
  static std::once_flag once;
  static bool ok = false;
  // sodium_init() returns 0 on first success and 1 when already initialised
  // (for example by another library in the process); both are fine.
  std::call_once(once, [] { ok = sodium_init() >= 0; });
  if (!ok) return absl::InternalError("libsodium failed to initialise (no usable randomness source)");
  return absl::OkStatus();
}

}  // namespace fbl::privacy::internal
