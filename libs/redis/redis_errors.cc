#include "libs/redis/redis_errors.h"

#include <array>

namespace fbl::redis::internal {

bool IsTransientErrorCode(std::string_view code) {
  static constexpr std::array<std::string_view, 6> kTransient = {
      "BUSY", "LOADING", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN", "READONLY"};
  for (std::string_view t : kTransient) {
    if (code == t) return true;
  }
  return false;
}

}  // namespace fbl::redis::internal
